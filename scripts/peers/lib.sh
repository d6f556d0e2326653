# shellcheck shell=bash
# Shared helpers for the scripts/peers installers. Sourced, never executed.
#
# Everything downloaded or built lives under $OTELSTACK_CACHE (default
# ~/.cache/otelstack), never inside the repository clone.

PEERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$PEERS_DIR/../.." && pwd)"
VERSIONS_JSON="$REPO_ROOT/src/catalog/versions.json"

export OTELSTACK_CACHE="${OTELSTACK_CACHE:-$HOME/.cache/otelstack}"
CACHE_BIN="$OTELSTACK_CACHE/bin"
mkdir -p "$CACHE_BIN"

# Go: module and build caches inside the otelstack cache so reruns (and CI
# with a restored cache) are fast and nothing lands in ~/go.
export GOMODCACHE="$OTELSTACK_CACHE/go/mod"
export GOCACHE="$OTELSTACK_CACHE/go/build"
export GOPATH="$OTELSTACK_CACHE/go/path"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

PEER_NAME="${PEER_NAME:-peers}"

log() { printf '[%s] %s\n' "$PEER_NAME" "$*" >&2; }

die() {
  printf '\n[%s] ERROR: %s\n\n' "$PEER_NAME" "$*" >&2
  exit 1
}

need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "required command '$c' not found on PATH"
  done
}

# peer_version KEY -> value of .peers[KEY] in src/catalog/versions.json
peer_version() {
  local key="$1" v
  [[ -f "$VERSIONS_JSON" ]] || die "versions file not found: $VERSIONS_JSON"
  v="$(node -e 'const v=require(process.argv[1]).peers[process.argv[2]]; if(!v){process.exit(3)} process.stdout.write(String(v))' "$VERSIONS_JSON" "$key")" \
    || die "no peers.$key in $VERSIONS_JSON"
  printf '%s' "$v"
}

# Stage timing: stage_begin NAME ... stage_end  (prints elapsed seconds)
_STAGE_NAME=""
_STAGE_T0=0
stage_begin() {
  _STAGE_NAME="$1"
  _STAGE_T0=$(date +%s.%N)
  log "stage '$_STAGE_NAME' ..."
}
stage_end() {
  local t1 dt
  t1=$(date +%s.%N)
  dt=$(awk -v a="$_STAGE_T0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  log "stage '$_STAGE_NAME' done in ${dt}s${1:+ ($1)}"
}

# wait_for_port HOST PORT TIMEOUT_S [PID]: bounded wait until a TCP port
# accepts connections; fails early if PID dies.
wait_for_port() {
  local host="$1" port="$2" timeout="$3" pid="${4:-}" deadline
  deadline=$(( $(date +%s) + timeout ))
  while (( $(date +%s) < deadline )); do
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
      return 0
    fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 2
    fi
    sleep 0.5
  done
  return 1
}

# free_port: an unused loopback TCP port (asks the kernel via node).
# free_ports N: N distinct unused loopback ports, space separated.
free_ports() {
  node -e '
const net=require("net"); const n=+process.argv[1]; const ss=[];
(function next(){ if (ss.length===n){ process.stdout.write(ss.map(s=>s.address().port).join(" ")); ss.forEach(s=>s.close()); return; }
  const s=net.createServer(); s.listen(0,"127.0.0.1",()=>{ss.push(s); next();}); })();' "${1:-1}"
}
free_port() { free_ports 1; }

# stop_pid PID [GRACE_S] [SIGNAL]: SIGNAL (default TERM), bounded wait, then KILL.
# (`weed server` takes ~15s to stop gracefully: its filer waits out a 15s gRPC graceful-stop timeout.)
stop_pid() {
  local pid="$1" grace="${2:-15}" sig="${3:-TERM}" i
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 4; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# For the apt-get installers: SUDO is empty as root, else "sudo -n" (dies when there is no sudo).
apt_sudo() {
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot apt-get install"
    SUDO="sudo -n"
  fi
}

# The packages among "$@" that dpkg has not installed, one per line.
apt_missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$p"
  done
}

# apt-get install "$@" (after apt_sudo) without recommends, quietly, logging to $OTELSTACK_CACHE/apt-$PEER_NAME.log;
# the package lists are refreshed first when they lack the first package or are older than a day.
apt_install() {
  local log="$OTELSTACK_CACHE/apt-$PEER_NAME.log" lists_age
  export DEBIAN_FRONTEND=noninteractive
  lists_age=$(( $(date +%s) - $(stat -c %Y /var/lib/apt/lists/partial 2>/dev/null || echo 0) ))
  if ! apt-cache show "$1" >/dev/null 2>&1 || (( lists_age > 86400 )); then
    $SUDO apt-get update -qq || die "apt-get update failed"
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "apt-get install $* failed"; }
}

# apt_sudo, then the Debian packages "$@" installed unless they all are, with the maintainer scripts kept from
# starting any service (a policy-rc.d answering 101 = action forbidden, ours only when there is none, removed after).
apt_ensure_installed_no_start() {
  apt_sudo
  local missing policy=/usr/sbin/policy-rc.d own_policy=0
  mapfile -t missing < <(apt_missing "$@")
  if ((${#missing[@]} == 0)); then
    log "already installed: $(dpkg-query -W -f='${Package} ${Version}  ' "$@")"
    return 0
  fi
  need_cmd apt-get
  stage_begin "apt-get install ${missing[*]}"
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 0755 "$policy"
    own_policy=1
  fi
  # shellcheck disable=SC2064 # the values now: the trap must remove the policy this call wrote
  trap "if ((${own_policy})); then $SUDO rm -f '$policy'; fi" EXIT
  apt_install "${missing[@]}"
  if ((own_policy)); then $SUDO rm -f "$policy"; fi
  trap - EXIT
  stage_end "$(dpkg-query -W -f='${Package} ${Version}  ' "$@")"
}
