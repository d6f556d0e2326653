#!/usr/bin/env bash
# Installs Prometheus, promtool and Alertmanager from Debian's packages
# (peers.prometheus = "debian": whatever the distribution ships; Debian 12: prometheus 2.42,
# alertmanager 0.25) WITHOUT starting their system services, then verifies promtool and
# that prometheus starts on 127.0.0.1 with the remote-write receiver enabled.
#
# Installs: /usr/bin/prometheus, /usr/bin/promtool, /usr/bin/prometheus-alertmanager
#           (symlinks in $OTELSTACK_CACHE/bin: prometheus, promtool, alertmanager)
# Needs root (or passwordless sudo) for apt-get the first time.
set -euo pipefail
PEER_NAME=prometheus
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd node timeout

PINNED="$(peer_version prometheus)"
[[ "$PINNED" == debian ]] || die "peers.prometheus is '$PINNED'; this installer only knows 'debian' (the Debian package)"

PKGS=(prometheus prometheus-alertmanager)
apt_ensure_installed_no_start "${PKGS[@]}"

# Make sure the packaged services are neither running nor enabled (only if systemd is PID 1).
if [[ "$(ps -o comm= -p 1 2>/dev/null)" == systemd ]] && command -v systemctl >/dev/null 2>&1; then
  $SUDO systemctl disable --now prometheus prometheus-alertmanager prometheus-node-exporter >/dev/null 2>&1 || true
fi
for svc in prometheus prometheus-alertmanager prometheus-node-exporter; do
  if [[ -x /etc/init.d/$svc ]] && /etc/init.d/$svc status >/dev/null 2>&1; then
    $SUDO /etc/init.d/$svc stop >/dev/null 2>&1 || true
    log "stopped the $svc system service"
  fi
done

for b in prometheus promtool prometheus-alertmanager; do
  command -v "$b" >/dev/null 2>&1 || die "$b not on PATH after installing ${PKGS[*]}"
done
ln -sfn "$(command -v prometheus)" "$CACHE_BIN/prometheus"
ln -sfn "$(command -v promtool)" "$CACHE_BIN/promtool"
ln -sfn "$(command -v prometheus-alertmanager)" "$CACHE_BIN/alertmanager"

stage_begin "verify promtool + prometheus on 127.0.0.1"
promtool --version >/dev/null 2>&1 || die "promtool --version failed"
tmp="$(mktemp -d)"
pid=""
cleanup() { stop_pid "$pid" 20; rm -rf "$tmp"; }
trap cleanup EXIT
cat >"$tmp/rules.yml" <<'EOF'
groups:
  - name: verify
    rules:
      - alert: Up
        expr: up == 0
        for: 1m
EOF
promtool check rules "$tmp/rules.yml" >"$tmp/check.log" 2>&1 || die "promtool check rules failed: $(cat "$tmp/check.log")"
# Remote-write receiver flag: --web.enable-remote-write-receiver (2.33+); older used a feature flag.
# (help text captured first: `grep -q` on a pipe would SIGPIPE prometheus and trip pipefail)
prom_help="$(prometheus --help 2>&1 || true)"
if [[ "$prom_help" == *--web.enable-remote-write-receiver* ]]; then
  rw_flag=--web.enable-remote-write-receiver
else
  rw_flag=--enable-feature=remote-write-receiver
fi
port="$(free_port)"
printf 'global:\n  scrape_interval: 15s\nscrape_configs: []\n' >"$tmp/prometheus.yml"
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
  --web.listen-address="127.0.0.1:$port" "$rw_flag" >"$tmp/prometheus.log" 2>&1 &
pid=$!
ready=""
deadline=$(( $(date +%s) + 60 ))
while (( $(date +%s) < deadline )); do
  kill -0 "$pid" 2>/dev/null || { tail -n 20 "$tmp/prometheus.log" >&2; die "prometheus exited during startup"; }
  ready="$(node -e '
const r=require("http").get({host:"127.0.0.1",port:+process.argv[1],path:"/-/ready",timeout:2000},res=>{process.stdout.write(String(res.statusCode));res.resume()});
r.on("timeout",()=>r.destroy());r.on("error",()=>process.stdout.write("ERR"));' "$port")"
  [[ "$ready" == 200 ]] && break
  sleep 0.5
done
[[ "$ready" == 200 ]] || { tail -n 20 "$tmp/prometheus.log" >&2; die "prometheus not ready on 127.0.0.1:$port within 60s"; }
# The remote-write endpoint must exist: an empty POST gets 400 (bad snappy body), not 404.
rw="$(node -e '
const r=require("http").request({host:"127.0.0.1",port:+process.argv[1],path:"/api/v1/write",method:"POST",timeout:3000,headers:{"Content-Type":"application/x-protobuf","Content-Encoding":"snappy"}},res=>{process.stdout.write(String(res.statusCode));res.resume()});
r.on("timeout",()=>r.destroy());r.on("error",()=>process.stdout.write("ERR"));r.end("x");' "$port")"
[[ "$rw" != 404 && "$rw" != ERR ]] || die "remote-write receiver not enabled (POST /api/v1/write -> $rw)"
stop_pid "$pid" 20; pid=""
stage_end "$(prometheus --version 2>&1 | head -n1 | cut -d'(' -f1); $rw_flag; /api/v1/write -> $rw; stopped"

log "installed: $(promtool --version 2>&1 | head -n1 | cut -d'(' -f1)/ $(prometheus-alertmanager --version 2>&1 | head -n1 | cut -d'(' -f1)"
