# shellcheck shell=bash
# Source this (bash or zsh) after scripts/peers/install-all.sh to find the test peers:
#   source scripts/peers/env.sh
# Exports (a variable is left empty when its peer is not installed; nothing here installs):
#   OTELSTACK_CACHE   cache root (default ~/.cache/otelstack)
#   OTELSTACK_PEERS_DIR  this directory (kafka-run.sh lives here)
#   OTELCOL_BIN       otelcol-otelstack (collector builder output)
#   TELEMETRYGEN_BIN  telemetrygen
#   JSONNET_BIN       go-jsonnet's jsonnet (evaluates the overlays `migrate render` writes)
#   JAEGER_BIN        Jaeger v2 (the Jaeger → Tempo migration e2e)
#   HELM_BIN          helm (render --hydrate)
#   COMPOSE_BIN       docker-compose (Docker Compose v2, standalone: `config` of the rendered compose files, no daemon)
#   ANSIBLE_BIN_DIR   directory of ansible-playbook, ansible-inventory, ansible-lint (the ansible target's tests)
#   KAFKA_VERSION, KAFKA_LIB_DIR, KAFKA_CLASSPATH ("<libs>/*", for java -cp), KAFKA_RUN (kafka-run.sh)
#   WEED_BIN          SeaweedFS weed
#   PROMETHEUS_BIN, PROMTOOL_BIN, ALERTMANAGER_BIN
#   OPENSSL_BIN       openssl (Debian package; the VM TLS e2e test makes its CA and certificates with it)
#   HAPROXY_BIN       haproxy (Debian package; the rolling-deploy e2e test and haproxy -c of the rendered config)
#   SYSTEMD_ANALYZE_BIN  systemd-analyze (Debian's systemd package; `verify` of the ansible target's rendered units)
# and prepends $OTELSTACK_CACHE/bin to PATH.
# Uses only shell builtins plus node (for reading src/catalog/versions.json).

if [ -n "${BASH_SOURCE:-}" ]; then
  _otelstack_peers_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
elif [ -n "${ZSH_VERSION:-}" ]; then
  # shellcheck disable=SC2296
  _otelstack_peers_dir="$(cd "$(dirname "${(%):-%x}")" && pwd)"
else
  _otelstack_peers_dir="$(pwd)/scripts/peers"
fi
export OTELSTACK_PEERS_DIR="$_otelstack_peers_dir"
export OTELSTACK_CACHE="${OTELSTACK_CACHE:-$HOME/.cache/otelstack}"

case ":$PATH:" in
  *":$OTELSTACK_CACHE/bin:"*) ;;
  *) export PATH="$OTELSTACK_CACHE/bin:$PATH" ;;
esac

_otelstack_exe() { if [ -x "$1" ]; then printf '%s' "$1"; fi; }

OTELCOL_BIN="$(_otelstack_exe "$OTELSTACK_CACHE/bin/otelcol-otelstack")"
TELEMETRYGEN_BIN="$(_otelstack_exe "$OTELSTACK_CACHE/bin/telemetrygen")"
JSONNET_BIN="$(_otelstack_exe "$OTELSTACK_CACHE/bin/jsonnet")"
JAEGER_BIN="$(_otelstack_exe "$OTELSTACK_CACHE/bin/jaeger")"
HELM_BIN="$(_otelstack_exe "$OTELSTACK_CACHE/bin/helm")"
COMPOSE_BIN="$(_otelstack_exe "$OTELSTACK_CACHE/bin/docker-compose")"
ANSIBLE_BIN_DIR=""
if [ -n "$(_otelstack_exe "$OTELSTACK_CACHE/bin/ansible-playbook")" ]; then ANSIBLE_BIN_DIR="$OTELSTACK_CACHE/bin"; fi
WEED_BIN="$(_otelstack_exe "$OTELSTACK_CACHE/bin/weed")"
PROMETHEUS_BIN="$(command -v prometheus 2>/dev/null || true)"
PROMTOOL_BIN="$(command -v promtool 2>/dev/null || true)"
ALERTMANAGER_BIN="$(command -v prometheus-alertmanager 2>/dev/null || command -v alertmanager 2>/dev/null || true)"
HAPROXY_BIN="$(_otelstack_exe "$OTELSTACK_CACHE/bin/haproxy")"
OPENSSL_BIN="$(_otelstack_exe "$OTELSTACK_CACHE/bin/openssl")"
SYSTEMD_ANALYZE_BIN="$(_otelstack_exe "$OTELSTACK_CACHE/bin/systemd-analyze")"
KAFKA_VERSION="$(node -p "require('$_otelstack_peers_dir/../../src/catalog/versions.json').peers.kafka" 2>/dev/null || true)"
KAFKA_LIB_DIR=""
KAFKA_CLASSPATH=""
if [ -n "$KAFKA_VERSION" ] && [ -d "$OTELSTACK_CACHE/kafka-$KAFKA_VERSION/libs" ]; then
  KAFKA_LIB_DIR="$OTELSTACK_CACHE/kafka-$KAFKA_VERSION/libs"
  KAFKA_CLASSPATH="$KAFKA_LIB_DIR/*"
fi
export OTELCOL_BIN TELEMETRYGEN_BIN JSONNET_BIN JAEGER_BIN HELM_BIN COMPOSE_BIN ANSIBLE_BIN_DIR WEED_BIN PROMETHEUS_BIN PROMTOOL_BIN ALERTMANAGER_BIN HAPROXY_BIN OPENSSL_BIN SYSTEMD_ANALYZE_BIN
export KAFKA_VERSION KAFKA_LIB_DIR KAFKA_CLASSPATH
export KAFKA_RUN="$_otelstack_peers_dir/kafka-run.sh"

unset -f _otelstack_exe
unset _otelstack_peers_dir
