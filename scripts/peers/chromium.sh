#!/usr/bin/env bash
# Installs Debian's Chromium (package `chromium`, whatever the distribution ships) for the report's browser test
# (test/report/browser.test.ts drives /usr/bin/chromium headless through playwright-core, which brings no browser
# of its own), with DejaVu fonts so screenshots have text; then verifies that headless Chromium renders a page.
#
# Installs: /usr/bin/chromium (symlink in $OTELSTACK_CACHE/bin: chromium)
# Needs root (or passwordless sudo) for apt-get the first time.
set -euo pipefail
PEER_NAME=chromium
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd timeout

PKGS=(chromium fonts-dejavu-core)
apt_ensure_installed_no_start "${PKGS[@]}"

[[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium missing after installing ${PKGS[*]}"
ln -sfn /usr/bin/chromium "$CACHE_BIN/chromium"

stage_begin "verify headless chromium renders a page"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
printf '<!DOCTYPE html><title>t</title><p id="p">otelstack-chromium-ok</p>\n' >"$tmp/page.html"
# --no-sandbox: root cannot use Chromium's sandbox; --user-data-dir keeps the profile out of $HOME
dom="$(timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --user-data-dir="$tmp/profile" --dump-dom "file://$tmp/page.html" 2>"$tmp/stderr.log" || true)"
[[ "$dom" == *otelstack-chromium-ok* ]] || { tail -n 20 "$tmp/stderr.log" >&2; die "headless chromium did not render a page"; }
stage_end "$(/usr/bin/chromium --version 2>/dev/null | head -n1)"
