#!/usr/bin/env bash
# Installs Debian's HAProxy (package `haproxy`, whatever the distribution ships; Debian 12: 2.6) WITHOUT starting its
# system service, for the rolling-deploy e2e test (test/e2e/deploy-rolling.test.ts): the compose target's haproxy.cfg
# is checked with `haproxy -c -f`, and a real HAProxy balances OTLP over the gateways while `deploy` drains them one
# at a time through its runtime API. Then verifies that haproxy starts on 127.0.0.1 with a runtime API on a loopback
# TCP port, and that `set server <backend>/<server> state drain` and `show stat` answer there.
#
# Installs: /usr/sbin/haproxy (symlink in $OTELSTACK_CACHE/bin: haproxy)
# Needs root (or passwordless sudo) for apt-get the first time.
set -euo pipefail
PEER_NAME=haproxy
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd node timeout

PKGS=(haproxy)
apt_ensure_installed_no_start "${PKGS[@]}"

if [[ "$(ps -o comm= -p 1 2>/dev/null)" == systemd ]] && command -v systemctl >/dev/null 2>&1; then
  $SUDO systemctl disable --now haproxy >/dev/null 2>&1 || true
fi
if [[ -x /etc/init.d/haproxy ]] && /etc/init.d/haproxy status >/dev/null 2>&1; then
  $SUDO /etc/init.d/haproxy stop >/dev/null 2>&1 || true
  log "stopped the haproxy system service"
fi

bin="$(command -v haproxy 2>/dev/null || true)"
[[ -z "$bin" && -x /usr/sbin/haproxy ]] && bin=/usr/sbin/haproxy
[[ -n "$bin" ]] || die "haproxy not found after installing ${PKGS[*]}"
ln -sfn "$bin" "$CACHE_BIN/haproxy"

stage_begin "verify haproxy -c and the runtime API on 127.0.0.1"
tmp="$(mktemp -d)"
pid=""
cleanup() { stop_pid "$pid" 10; rm -rf "$tmp"; }
trap cleanup EXIT
read -r front api back <<<"$(free_ports 3)"
cat >"$tmp/haproxy.cfg" <<EOF
global
  stats socket ipv4@127.0.0.1:$api level admin
defaults
  mode http
  timeout connect 5s
  timeout client 10s
  timeout server 10s
frontend f
  bind 127.0.0.1:$front
  default_backend b
backend b
  server s1 127.0.0.1:$back
EOF
"$bin" -c -f "$tmp/haproxy.cfg" >"$tmp/check.log" 2>&1 || die "haproxy -c rejected a minimal config: $(cat "$tmp/check.log")"
"$bin" -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
pid=$!
wait_for_port 127.0.0.1 "$api" 20 "$pid" || { tail -n 20 "$tmp/haproxy.log" >&2; die "haproxy's runtime API did not listen on 127.0.0.1:$api"; }
# one command per connection (non-interactive mode): the answer, then HAProxy closes
api_cmd() {
  node -e '
const s=require("net").connect(+process.argv[1],"127.0.0.1",()=>s.end(process.argv[2]+"\n"));let out="";
s.on("data",d=>out+=d);s.on("close",()=>process.stdout.write(out));s.setTimeout(5000,()=>{s.destroy();process.exit(3)});' "$api" "$1"
}
api_cmd "set server b/s1 state drain" >"$tmp/set.out"
[[ ! -s "$tmp/set.out" || "$(tr -d '\n' <"$tmp/set.out")" == "" ]] || die "set server b/s1 state drain answered: $(cat "$tmp/set.out")"
stat="$(api_cmd "show stat")"
grep -q '^b,s1,.*DRAIN' <<<"$stat" || die "show stat does not show b/s1 in DRAIN after the drain command: $stat"
api_cmd "set server b/s1 state ready" >/dev/null
stop_pid "$pid" 10; pid=""
stage_end "$("$bin" -v 2>&1 | head -n1); runtime API drain/ready ok; stopped"

log "installed: $("$bin" -v 2>&1 | head -n1)"
