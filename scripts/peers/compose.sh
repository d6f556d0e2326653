#!/usr/bin/env bash
# Installs the Docker Compose v2 CLI (module github.com/docker/compose/v5) at peers.compose from
# src/catalog/versions.json, built from the Go module proxy, so that the rendered compose files are
# checked by Compose itself (`docker-compose config`, which needs no Docker daemon).
#
# Not `go install pkg@version`: compose's go.mod has `exclude` directives, which `go install` refuses
# for a module that is not the main one. So the module is downloaded (`go mod download -json`) and
# built as the main module from its directory in the module cache, with the release ldflag that sets
# the version `docker-compose version` prints. The binary runs standalone (no docker CLI plugin dir).
#
# Installs: $OTELSTACK_CACHE/bin/docker-compose
set -euo pipefail
PEER_NAME=compose
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd go node grep

VERSION="$(peer_version compose)"
MOD=github.com/docker/compose/v5
BIN="$CACHE_BIN/docker-compose"
LOG="$OTELSTACK_CACHE/compose-install.log"

# The version the binary reports (`docker-compose version --short`: "5.6.0"), empty if it does not run.
installed_version() { "$1" version --short 2>/dev/null | sed 's/^v//' || true; }

if [[ -x "$BIN" && "$(installed_version "$BIN")" == "$VERSION" ]]; then
  log "docker-compose v$VERSION already installed ($BIN); skipping"
else
  stage_begin "go mod download $MOD@v$VERSION"
  json="$(go mod download -json "$MOD@v$VERSION" 2>"$LOG")" || { tail -n 20 "$LOG" >&2; die "go mod download $MOD@v$VERSION failed (log: $LOG)"; }
  dir="$(node -e 'const j=JSON.parse(process.argv[1]); if(j.Error){console.error(j.Error);process.exit(3)} process.stdout.write(j.Dir)' "$json")" \
    || die "go mod download $MOD@v$VERSION gave no module directory: $json"
  [[ -f "$dir/cmd/main.go" ]] || die "$dir/cmd/main.go not found: the compose main package moved?"
  stage_end "$dir"

  stage_begin "go build $MOD/cmd (v$VERSION)"
  log "log: $LOG; on 2 cores a cold build (dependency download + compile) takes several minutes"
  tmpbin="$(mktemp -d)"
  # -C: build inside the module directory so its own go.mod/go.sum (and excludes) apply; nothing is written there.
  if ! go -C "$dir" build -trimpath -ldflags "-w -X $MOD/internal.Version=v$VERSION" -o "$tmpbin/docker-compose" ./cmd >>"$LOG" 2>&1; then
    grep -v 'go: downloading' "$LOG" | tail -n 20 >&2 || true
    rm -rf "$tmpbin"
    die "go build $MOD/cmd@v$VERSION failed (log: $LOG)"
  fi
  # replace the binary in one rename, so a failed build never leaves half a docker-compose behind
  mv -f "$tmpbin/docker-compose" "$BIN"
  rmdir "$tmpbin"
  stage_end "$(du -h "$BIN" | cut -f1) binary"
fi

stage_begin "verify docker-compose version + config (no daemon)"
reported="$(installed_version "$BIN")"
[[ "$reported" == "$VERSION" ]] || die "'$BIN version --short' reports '$reported', expected $VERSION"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# No daemon and no user config are needed for `config`; point both at nothing to be sure of it.
export DOCKER_HOST="unix://$tmp/no-docker.sock" DOCKER_CONFIG="$tmp/docker-config"
cat >"$tmp/compose.yaml" <<'EOF'
name: peer-check
services:
  app:
    image: example.invalid/app:1
    ports: ["127.0.0.1:8080:80"]
    logging:
      driver: json-file
      options: {max-size: 10m, max-file: "3"}
    healthcheck:
      test: ["CMD", "true"]
      interval: 10s
EOF
"$BIN" -f "$tmp/compose.yaml" --project-directory "$tmp" config --quiet 2>"$tmp/err.log" \
  || die "'docker-compose config --quiet' of a known-good file failed: $(cat "$tmp/err.log")"
"$BIN" -f "$tmp/compose.yaml" --project-directory "$tmp" config --format json >"$tmp/out.json" 2>"$tmp/err.log" \
  || die "'docker-compose config --format json' failed: $(cat "$tmp/err.log")"
node -e '
const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const a = c.services.app, p = a.ports[0];
const ok = a.logging.driver === "json-file" && a.logging.options["max-size"] === "10m" && p.host_ip === "127.0.0.1" && p.published === "8080" && p.target === 80;
if (!ok) { console.error(JSON.stringify(a)); process.exit(1); }' "$tmp/out.json" || die "'docker-compose config --format json' output is not what the file says"
# a file Compose must refuse: an unknown service key
printf 'services:\n  app:\n    image: x\n    bogus_key: 1\n' >"$tmp/bad.yaml"
if "$BIN" -f "$tmp/bad.yaml" --project-directory "$tmp" config --quiet >/dev/null 2>"$tmp/bad.log"; then
  die "'docker-compose config' accepted a service with an unknown key"
fi
grep -q 'bogus_key' "$tmp/bad.log" || die "'docker-compose config' failed without naming the bad key: $(cat "$tmp/bad.log")"
stage_end "config ok, unknown-key refusal ok"
log "installed: $BIN (v$VERSION)"
