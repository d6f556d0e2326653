#!/usr/bin/env bash
# Installs Debian's systemd package (whatever the distribution ships; Debian 12: 252) for its systemd-analyze, WITHOUT
# making systemd the init or starting anything: the ansible target's tests check every rendered unit with
# `systemd-analyze verify` (test/render/ansible/systemd-units.test.ts) — systemd need not run for that. Then
# verifies that `systemd-analyze verify` accepts a oneshot service with its timer and rejects a timer whose
# OnCalendar does not parse, and that `systemd-analyze calendar` normalises "daily".
#
# Installs: /usr/bin/systemd-analyze (symlink in $OTELSTACK_CACHE/bin: systemd-analyze)
# Needs root (or passwordless sudo) for apt-get the first time.
set -euo pipefail
PEER_NAME=systemd
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

PKGS=(systemd)
apt_ensure_installed_no_start "${PKGS[@]}"

bin="$(command -v systemd-analyze 2>/dev/null || true)"
[[ -n "$bin" ]] || die "systemd-analyze not found after installing ${PKGS[*]}"
ln -sfn "$bin" "$CACHE_BIN/systemd-analyze"

stage_begin "verify systemd-analyze verify and calendar"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/otelstack-peer-check.service" <<'EOF'
[Unit]
Description=otelstack peer check

[Service]
Type=oneshot
ExecStart=/bin/true
EOF
cat >"$tmp/otelstack-peer-check.timer" <<'EOF'
[Unit]
Description=otelstack peer check

[Timer]
OnCalendar=*-*-* 02:00:00
RandomizedDelaySec=1h
Persistent=true

[Install]
WantedBy=timers.target
EOF
out="$("$bin" verify "$tmp/otelstack-peer-check.service" "$tmp/otelstack-peer-check.timer" 2>&1)" || die "systemd-analyze verify rejected a valid service + timer: $out"
[[ -z "$out" ]] || die "systemd-analyze verify warned about a valid service + timer: $out"
sed -i 's/^OnCalendar=.*/OnCalendar=*-*-* 25:00:00/' "$tmp/otelstack-peer-check.timer"
if out="$("$bin" verify "$tmp/otelstack-peer-check.timer" 2>&1)"; then die "systemd-analyze verify accepted OnCalendar=*-*-* 25:00:00"; fi
grep -q 'Failed to parse calendar specification' <<<"$out" || die "systemd-analyze verify did not name the bad calendar: $out"
"$bin" calendar daily 2>&1 | grep -q 'Normalized form: \*-\*-\* 00:00:00' || die "systemd-analyze calendar daily did not normalise to *-*-* 00:00:00"
stage_end "$("$bin" --version | head -n1); verify + calendar ok"

log "installed: $("$bin" --version | head -n1)"
