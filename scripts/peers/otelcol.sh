#!/usr/bin/env bash
# Builds the test OpenTelemetry Collector (otelcol-otelstack) with the collector
# builder (ocb) from scripts/peers/otelcol-builder.yaml, at peers.otelcol from
# src/catalog/versions.json. Idempotent: skips the build when the installed
# binary was built from the same version and the same manifest.
#
# Installs: $OTELSTACK_CACHE/bin/otelcol-otelstack  (and $OTELSTACK_CACHE/bin/builder-v<version>)
set -euo pipefail
PEER_NAME=otelcol
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd go node sha256sum

VERSION="$(peer_version otelcol)"
MANIFEST="$PEERS_DIR/otelcol-builder.yaml"
BIN="$CACHE_BIN/otelcol-otelstack"
STAMP="$OTELSTACK_CACHE/otelcol-otelstack.stamp"
BUILD_DIR="$OTELSTACK_CACHE/otelcol-build"
BUILDER="$CACHE_BIN/builder-v$VERSION"

[[ -f "$MANIFEST" ]] || die "builder manifest missing: $MANIFEST"

# Every component in the manifest must be at the builder's version.
stage_begin "check manifest versions"
grep -q "^  version: $VERSION\$" "$MANIFEST" \
  || die "dist.version in $MANIFEST is not $VERSION (peers.otelcol in src/catalog/versions.json)"
bad="$(grep -E '^\s*- gomod:' "$MANIFEST" | grep -v " v$VERSION\$" || true)"
[[ -z "$bad" ]] || die "components in $MANIFEST not at v$VERSION:
$bad"
stage_end "$(grep -cE '^\s*- gomod:' "$MANIFEST") components at v$VERSION"

want_stamp="version=$VERSION manifest=$(sha256sum "$MANIFEST" | cut -d' ' -f1) go=$(go env GOVERSION)"

if [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" ]]; then
  log "otelcol-otelstack $VERSION already built ($BIN); skipping build"
else
  stage_begin "install builder v$VERSION"
  if [[ ! -x "$BUILDER" ]]; then
    tmpbin="$(mktemp -d)"
    GOBIN="$tmpbin" go install "go.opentelemetry.io/collector/cmd/builder@v$VERSION" \
      || die "go install go.opentelemetry.io/collector/cmd/builder@v$VERSION failed (see above)"
    mv "$tmpbin/builder" "$BUILDER"
    rmdir "$tmpbin"
  fi
  stage_end "$("$BUILDER" version 2>&1 | head -n1)"

  stage_begin "ocb generate + go mod download + go build"
  log "building in $BUILD_DIR (log: $BUILD_DIR/build.log); on 2 cores a cold build takes several minutes"
  # The checksum database behind the module proxy here answers 404 to the first lookup of a module
  # version it has not seen yet and 200 a few seconds later (seen with pkg/translator/faro); so a
  # build that failed only on such a lookup is retried, at most 3 attempts.
  attempt=1
  while :; do
    rm -rf "$BUILD_DIR"
    mkdir -p "$BUILD_DIR"
    if (cd "$BUILD_DIR" && "$BUILDER" --config="$MANIFEST" >"$BUILD_DIR/build.log" 2>&1); then built=1; break; fi
    built=0
    if ((attempt < 3)) && grep -qE 'sumdb/[^ ]+/lookup/[^ ]+: 404 Not Found' "$BUILD_DIR/build.log"; then
      log "checksum database lookup answered 404 (not yet known to the proxy): $(grep -oE 'lookup/[^ ]+: 404' "$BUILD_DIR/build.log" | sort -u | tr '\n' ' ')- retrying in 10s"
      attempt=$((attempt + 1))
      sleep 10
      continue
    fi
    break
  done
  if ((built == 0)); then
    grep -v 'go: downloading' "$BUILD_DIR/build.log" | tail -n 40 >&2 || true
    if grep -q '403 Forbidden' "$BUILD_DIR/build.log"; then
      log "modules refused by the Go module proxy:"
      grep -oE 'proxy.golang.org/[^ ]+: 403' "$BUILD_DIR/build.log" | sort -u >&2 || true
    fi
    die "collector build failed; full log in $BUILD_DIR/build.log"
  fi
  [[ -x "$BUILD_DIR/_build/otelcol-otelstack" ]] || die "builder succeeded but $BUILD_DIR/_build/otelcol-otelstack is missing"
  install -m 0755 "$BUILD_DIR/_build/otelcol-otelstack" "$BIN"
  printf '%s\n' "$want_stamp" >"$STAMP"
  stage_end "$(du -h "$BIN" | cut -f1) binary"
fi

stage_begin "verify components + validate"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$BIN" --version >"$tmp/version" 2>&1 || die "$BIN --version failed: $(cat "$tmp/version")"
grep -q "$VERSION" "$tmp/version" || die "$BIN reports '$(cat "$tmp/version")', expected $VERSION"
"$BIN" components >"$tmp/components.yaml" 2>&1 || die "'$BIN components' failed: $(tail -n 20 "$tmp/components.yaml")"
missing=()
for t in otlp kafka faro otlp_grpc otlp_http debug nop prometheus_remote_write load_balancing \
  memory_limiter batch tail_sampling probabilistic_sampler attributes resource transform filter \
  file_storage health_check forward; do
  grep -qE "^\s*-?\s*name: $t\$" "$tmp/components.yaml" || missing+=("$t")
done
((${#missing[@]} == 0)) || die "components missing from '$BIN components': ${missing[*]}"
mkdir -p "$tmp/queue"
cat >"$tmp/config.yaml" <<EOF
extensions:
  health_check:
    endpoint: 127.0.0.1:13133
  file_storage:
    directory: $tmp/queue
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:4317
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 256
  batch: {}
exporters:
  debug: {}
  otlp_grpc:
    endpoint: 127.0.0.1:14317
    tls:
      insecure: true
    sending_queue:
      storage: file_storage
connectors:
  forward: {}
service:
  extensions: [health_check, file_storage]
  pipelines:
    traces/in:
      receivers: [otlp]
      processors: [memory_limiter]
      exporters: [forward]
    traces/out:
      receivers: [forward]
      processors: [batch]
      exporters: [debug, otlp_grpc]
EOF
"$BIN" validate --config="$tmp/config.yaml" >"$tmp/validate.log" 2>&1 \
  || die "'$BIN validate' rejected a known-good config: $(tail -n 20 "$tmp/validate.log")"
# and it must reject a broken one
printf 'receivers:\n  nosuchreceiver: {}\nservice:\n  pipelines: {}\n' >"$tmp/bad.yaml"
if "$BIN" validate --config="$tmp/bad.yaml" >/dev/null 2>&1; then
  die "'$BIN validate' accepted an invalid config"
fi
stage_end "components ok, validate ok"

log "installed: $BIN ($(head -n1 "$tmp/version"))"
