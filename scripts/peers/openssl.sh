#!/usr/bin/env bash
# Installs Debian's OpenSSL command-line tool (package `openssl`; Debian 12: 3.0) for the VM TLS e2e test
# (test/e2e/vm-tls.test.ts), which makes a throw-away CA and host certificates in its temporary directory at test
# time. Then verifies that it makes a PKCS#8 key and a certificate signed by a CA, with DNS and IP SANs.
#
# Installs: /usr/bin/openssl (symlink in $OTELSTACK_CACHE/bin: openssl)
# Needs root (or passwordless sudo) for apt-get the first time.
set -euo pipefail
PEER_NAME=openssl
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

apt_ensure_installed_no_start openssl
bin="$(command -v openssl 2>/dev/null || true)"
[[ -n "$bin" ]] || die "openssl not found after installing the openssl package"
ln -sfn "$bin" "$CACHE_BIN/openssl"

stage_begin "verify: a CA and a host certificate with SANs"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bin" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.crt" -days 1 -subj /CN=verify-ca 2>/dev/null
"$bin" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/host.key" 2>/dev/null
grep -q 'BEGIN PRIVATE KEY' "$tmp/host.key" || die "openssl genpkey did not write a PKCS#8 key"
"$bin" req -new -key "$tmp/host.key" -subj /CN=localhost -out "$tmp/host.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$tmp/ext"
"$bin" x509 -req -in "$tmp/host.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial -days 1 -extfile "$tmp/ext" -out "$tmp/host.crt" 2>/dev/null
"$bin" verify -CAfile "$tmp/ca.crt" "$tmp/host.crt" >/dev/null || die "the host certificate does not verify against its CA"
"$bin" x509 -in "$tmp/host.crt" -noout -ext subjectAltName | grep -q 'IP Address:127.0.0.1' || die "no IP SAN in the host certificate"
stage_end
log "ok: $("$bin" version)"
