#!/usr/bin/env bash
# Installs Jaeger (the v2 binary, `cmd/jaeger`: an OpenTelemetry-Collector-based build) at peers.jaeger from
# src/catalog/versions.json, from the Go module proxy: github.com/jaegertracing/jaeger at that module version is
# added as a tool of a small module of its own under $OTELSTACK_CACHE (`go get -tool`), then built. Not
# `go install pkg@version`: Jaeger's go.mod carries `replace` directives, which `go install` refuses.
# With no --config the binary runs all-in-one: in-memory storage, OTLP receivers on 4317 / 4318, the query
# service (HTTP API and UI) on 16686. Used by test/e2e/migrate-jaeger-tempo.test.ts (the real Jaeger of the
# Jaeger → Tempo runbook's parallel run).
#
# Installs: $OTELSTACK_CACHE/bin/jaeger
set -euo pipefail
PEER_NAME=jaeger
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd go node curl

VERSION="$(peer_version jaeger)"
MOD=github.com/jaegertracing/jaeger
PKG="$MOD/cmd/jaeger"
BIN="$CACHE_BIN/jaeger"
TOOLMOD="$OTELSTACK_CACHE/jaeger-tool-v$VERSION"

# the jaeger module's version as the binary records it (a dependency line of the tool module's build)
installed_version() { go version -m "$1" 2>/dev/null | awk -v m="$MOD" '($1=="dep" || $1=="mod") && $2==m {print $3; exit}'; }

if [[ -x "$BIN" && "$(installed_version "$BIN")" == "v$VERSION" ]]; then
  log "jaeger v$VERSION already installed ($BIN); skipping"
else
  stage_begin "go get -tool $PKG@v$VERSION, go build"
  mkdir -p "$TOOLMOD"
  (
    cd "$TOOLMOD"
    [[ -f go.mod ]] || go mod init otelstack.local/jaeger-tool
    go get -tool "$PKG@v$VERSION"
    go build -o "$BIN.tmp" "$PKG"
  ) >"$OTELSTACK_CACHE/jaeger-install.log" 2>&1 || {
    grep -v 'go: downloading' "$OTELSTACK_CACHE/jaeger-install.log" | tail -n 20 >&2
    die "building $PKG@v$VERSION failed (log: $OTELSTACK_CACHE/jaeger-install.log)"
  }
  mv "$BIN.tmp" "$BIN"
  stage_end "$(installed_version "$BIN")"
fi

stage_begin "verify jaeger"
[[ "$(installed_version "$BIN")" == "v$VERSION" ]] || die "$BIN is $(installed_version "$BIN"), expected v$VERSION"
tmp="$(mktemp -d)"
pid=""
cleanup() { stop_pid "$pid" 10; rm -rf "$tmp"; }
trap cleanup EXIT
read -r gport hport qport <<<"$(free_ports 3)"
# all-in-one on loopback only: the OTLP receivers and the query service on free ports (a config of its own, in the
# shape of the binary's embedded all-in-one config: cmd/jaeger/internal/all-in-one.yaml at this version)
cat >"$tmp/jaeger.yaml" <<EOF
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
extensions:
  jaeger_query:
    storage:
      traces: mem
    http:
      endpoint: 127.0.0.1:$qport
    grpc:
      endpoint: 127.0.0.1:0
  jaeger_storage:
    backends:
      mem:
        memory:
          max_traces: 10000
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$gport
      http:
        endpoint: 127.0.0.1:$hport
processors:
  batch: {}
exporters:
  jaeger_storage_exporter:
    trace_storage: mem
EOF
"$BIN" --config "$tmp/jaeger.yaml" >"$tmp/jaeger.log" 2>&1 &
pid=$!
wait_for_port 127.0.0.1 "$qport" 60 "$pid" || { tail -n 30 "$tmp/jaeger.log" >&2; die "jaeger did not open its query port 127.0.0.1:$qport"; }
wait_for_port 127.0.0.1 "$hport" 30 "$pid" || { tail -n 30 "$tmp/jaeger.log" >&2; die "jaeger did not open its OTLP/HTTP port 127.0.0.1:$hport"; }
# one span by OTLP/HTTP JSON, read back through the query API (GET /api/traces/<id>)
tid=5b8efff798038103d269b633813fc60c
now=$(date +%s%N)
curl -fsS -o /dev/null -H 'Content-Type: application/json' "http://127.0.0.1:$hport/v1/traces" --data-binary @- <<EOF || die "jaeger refused an OTLP/HTTP span"
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"peers-check"}}]},
 "scopeSpans":[{"spans":[{"traceId":"$tid","spanId":"eee19b7ec3c1b174","name":"check","kind":1,
 "startTimeUnixNano":"$now","endTimeUnixNano":"$((now + 1000000))"}]}]}]}
EOF
found=""
for _ in $(seq 40); do
  if curl -fsS "http://127.0.0.1:$qport/api/traces/$tid" 2>/dev/null | grep -q "\"traceID\":\"$tid\""; then found=1; break; fi
  sleep 0.5
done
[[ -n "$found" ]] || { tail -n 30 "$tmp/jaeger.log" >&2; die "the span sent to jaeger did not come back from GET /api/traces/$tid"; }
services="$(curl -fsS "http://127.0.0.1:$qport/api/services")"
grep -q '"peers-check"' <<<"$services" || die "GET /api/services lacks peers-check: $services"
stop_pid "$pid" 10
pid=""
stage_end "OTLP/HTTP span -> GET /api/traces/$tid found; /api/services lists peers-check"
log "installed: $BIN (jaeger module v$VERSION)"
