#!/usr/bin/env bash
# Installs telemetrygen (OpenTelemetry load generator) at peers.telemetrygen from
# src/catalog/versions.json with `go install`.
#
# Installs: $OTELSTACK_CACHE/bin/telemetrygen
set -euo pipefail
PEER_NAME=telemetrygen
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd go node

VERSION="$(peer_version telemetrygen)"
MOD=github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen
BIN="$CACHE_BIN/telemetrygen"

installed_version() { go version -m "$1" 2>/dev/null | awk '$1=="mod" {print $3; exit}'; }

if [[ -x "$BIN" && "$(installed_version "$BIN")" == "v$VERSION" ]]; then
  log "telemetrygen v$VERSION already installed ($BIN); skipping"
else
  stage_begin "go install telemetrygen@v$VERSION"
  GOBIN="$CACHE_BIN" go install "$MOD@v$VERSION" >"$OTELSTACK_CACHE/telemetrygen-install.log" 2>&1 || {
    grep -v 'go: downloading' "$OTELSTACK_CACHE/telemetrygen-install.log" | tail -n 20 >&2
    die "go install $MOD@v$VERSION failed (log: $OTELSTACK_CACHE/telemetrygen-install.log)"
  }
  stage_end "$(installed_version "$BIN")"
fi

stage_begin "verify telemetrygen"
[[ "$(installed_version "$BIN")" == "v$VERSION" ]] || die "$BIN is $(installed_version "$BIN"), expected v$VERSION"
"$BIN" traces --help >/dev/null 2>&1 || die "'$BIN traces --help' failed"
detail="--help ok"
# If the test collector is installed, send 5 traces through it and check they arrive.
OTELCOL="$CACHE_BIN/otelcol-otelstack"
if [[ -x "$OTELCOL" ]]; then
  tmp="$(mktemp -d)"
  pid=""
  cleanup() { stop_pid "$pid" 10; rm -rf "$tmp"; }
  trap cleanup EXIT
  read -r gport hport <<<"$(free_ports 2)"
  cat >"$tmp/otelcol.yaml" <<EOF
extensions:
  health_check:
    endpoint: 127.0.0.1:$hport
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$gport
exporters:
  debug:
    verbosity: basic
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
EOF
  "$OTELCOL" --config="$tmp/otelcol.yaml" >"$tmp/otelcol.log" 2>&1 &
  pid=$!
  wait_for_port 127.0.0.1 "$gport" 30 "$pid" || { tail -n 20 "$tmp/otelcol.log" >&2; die "collector did not open 127.0.0.1:$gport"; }
  timeout 60 "$BIN" traces --otlp-insecure --otlp-endpoint "127.0.0.1:$gport" --traces 5 --rate 0 >"$tmp/tg.log" 2>&1 \
    || { tail -n 20 "$tmp/tg.log" >&2; die "telemetrygen could not send traces to the collector"; }
  n=0
  for _ in $(seq 20); do
    # debug exporter (basic) logs one line per batch with "spans": N
    n="$(grep -oE '"spans": [0-9]+' "$tmp/otelcol.log" | grep -oE '[0-9]+' | awk '{s+=$1} END{print s+0}')"
    ((n >= 10)) && break
    sleep 0.5
  done
  ((n >= 10)) || { tail -n 20 "$tmp/otelcol.log" >&2; die "collector saw $n spans, expected 10 (5 traces x 2 spans)"; }
  stop_pid "$pid" 10
  pid=""
  detail="5 traces -> otelcol-otelstack: $n spans received"
fi
stage_end "$detail"
log "installed: $BIN (v$VERSION)"
