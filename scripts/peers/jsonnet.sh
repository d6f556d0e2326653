#!/usr/bin/env bash
# Installs go-jsonnet's `jsonnet` at peers.jsonnet from src/catalog/versions.json with `go install` (the Go module
# proxy): the real jsonnet implementation that evaluates the overlays `otelstack migrate render` writes.
#
# Installs: $OTELSTACK_CACHE/bin/jsonnet
set -euo pipefail
PEER_NAME=jsonnet
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd go node

VERSION="$(peer_version jsonnet)"
MOD=github.com/google/go-jsonnet/cmd/jsonnet
BIN="$CACHE_BIN/jsonnet"

installed_version() { go version -m "$1" 2>/dev/null | awk '$1=="mod" {print $3; exit}'; }

if [[ -x "$BIN" && "$(installed_version "$BIN")" == "v$VERSION" ]]; then
  log "jsonnet v$VERSION already installed ($BIN); skipping"
else
  stage_begin "go install go-jsonnet@v$VERSION"
  GOBIN="$CACHE_BIN" go install "$MOD@v$VERSION" >"$OTELSTACK_CACHE/jsonnet-install.log" 2>&1 || {
    grep -v 'go: downloading' "$OTELSTACK_CACHE/jsonnet-install.log" | tail -n 20 >&2
    die "go install $MOD@v$VERSION failed (log: $OTELSTACK_CACHE/jsonnet-install.log)"
  }
  stage_end "$(installed_version "$BIN")"
fi

stage_begin "verify jsonnet"
[[ "$(installed_version "$BIN")" == "v$VERSION" ]] || die "$BIN is $(installed_version "$BIN"), expected v$VERSION"
out="$("$BIN" -e '{ a: 1 } + { b: self.a + 1 }' | tr -d ' \n')"
[[ "$out" == '{"a":1,"b":2}' ]] || die "jsonnet evaluated a test expression to $out"
stage_end "evaluates {a:1}+{b:self.a+1} to $out"
log "installed: $BIN (v$VERSION)"
