#!/usr/bin/env bash
# Installs every real engine used by tests (see README.md), each idempotent and
# cached under $OTELSTACK_CACHE (default ~/.cache/otelstack), and prints one timing
# row per installer. Exits non-zero if any installer failed (all are still attempted).
#
#   bash scripts/peers/install-all.sh              # all
#   bash scripts/peers/install-all.sh kafka otelcol # a subset, in the given order
set -euo pipefail
PEERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export OTELSTACK_CACHE="${OTELSTACK_CACHE:-$HOME/.cache/otelstack}"
mkdir -p "$OTELSTACK_CACHE/logs"

# otelcol before telemetrygen: telemetrygen's check sends spans through the collector.
ALL=(prometheus kafka seaweedfs otelcol telemetrygen helm compose chromium ansible haproxy systemd jsonnet openssl jaeger)
if (($# > 0)); then STAGES=("$@"); else STAGES=("${ALL[@]}"); fi

rows=()
failed=()
t_all0=$(date +%s.%N)
for s in "${STAGES[@]}"; do
  script="$PEERS_DIR/$s.sh"
  [[ -f "$script" ]] || { echo "[install-all] unknown stage '$s' (known: ${ALL[*]})" >&2; exit 2; }
  echo "[install-all] ==== $s ====" >&2
  t0=$(date +%s.%N)
  set +e
  bash "$script" 2>&1 | tee "$OTELSTACK_CACHE/logs/$s.log" >&2
  rc=${PIPESTATUS[0]}
  set -e
  t1=$(date +%s.%N)
  dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  if ((rc == 0)); then st=ok; else st="FAILED($rc)"; failed+=("$s"); fi
  rows+=("$(printf '%-14s %-11s %8ss' "$s" "$st" "$dt")")
done
t_all1=$(date +%s.%N)

echo
echo "stage          status       seconds"
printf '%s\n' "${rows[@]}"
printf '%-14s %-11s %8ss\n' total "$([[ ${#failed[@]} -eq 0 ]] && echo ok || echo FAILED)" \
  "$(awk -v a="$t_all0" -v b="$t_all1" 'BEGIN{printf "%.1f", b-a}')"
echo "cache: $OTELSTACK_CACHE ($(du -sh "$OTELSTACK_CACHE" 2>/dev/null | cut -f1)); logs: $OTELSTACK_CACHE/logs/"
if ((${#failed[@]})); then
  echo "[install-all] FAILED: ${failed[*]} (see $OTELSTACK_CACHE/logs/<stage>.log)" >&2
  exit 1
fi
echo "next: source scripts/peers/env.sh"
