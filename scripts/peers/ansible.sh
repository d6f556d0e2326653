#!/usr/bin/env bash
# Installs ansible-core and ansible-lint at peers["ansible-core"] / peers["ansible-lint"] from
# src/catalog/versions.json, from PyPI with pip, into a virtualenv under $OTELSTACK_CACHE, for the
# ansible target's tests (ansible-inventory --list, ansible-playbook --syntax-check, ansible-lint).
#
# Idempotent: a venv whose installed versions match the pins is kept. A failed install never
# replaces a working venv (built beside it, then renamed).
#
# Installs: $OTELSTACK_CACHE/ansible-<core>-lint-<lint>/ (venv), symlinks in $OTELSTACK_CACHE/bin:
#           ansible, ansible-playbook, ansible-inventory, ansible-galaxy, ansible-config, ansible-lint
set -euo pipefail
PEER_NAME=ansible
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd python3 node

CORE="$(peer_version ansible-core)"
LINT="$(peer_version ansible-lint)"
VENV="$OTELSTACK_CACHE/ansible-$CORE-lint-$LINT"
LOG="$OTELSTACK_CACHE/ansible-install.log"
TOOLS=(ansible ansible-playbook ansible-inventory ansible-galaxy ansible-config ansible-lint)

installed() { "$1/bin/python" -m pip show "$2" 2>/dev/null | awk '$1=="Version:" {print $2; exit}'; }

if [[ -x "$VENV/bin/ansible-lint" && "$(installed "$VENV" ansible-core)" == "$CORE" && "$(installed "$VENV" ansible-lint)" == "$LINT" ]]; then
  log "ansible-core $CORE + ansible-lint $LINT already installed ($VENV); skipping"
else
  stage_begin "pip install ansible-core==$CORE ansible-lint==$LINT"
  log "log: $LOG"
  tmp="$VENV.partial"
  rm -rf "$tmp"
  python3 -m venv "$tmp" >"$LOG" 2>&1 || die "python3 -m venv failed (log: $LOG)"
  if ! "$tmp/bin/python" -m pip install --disable-pip-version-check --no-input \
      --cache-dir "$OTELSTACK_CACHE/downloads/pip" "ansible-core==$CORE" "ansible-lint==$LINT" >>"$LOG" 2>&1; then
    tail -n 20 "$LOG" >&2 || true
    rm -rf "$tmp"
    die "pip install ansible-core==$CORE ansible-lint==$LINT failed (log: $LOG)"
  fi
  # console scripts carry the venv path in their shebang: rebuild them at the final path
  rm -rf "$VENV"
  mv "$tmp" "$VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input --no-deps --force-reinstall \
    --cache-dir "$OTELSTACK_CACHE/downloads/pip" "ansible-core==$CORE" "ansible-lint==$LINT" >>"$LOG" 2>&1 \
    || die "re-linking the console scripts at $VENV failed (log: $LOG)"
  stage_end "$(installed "$VENV" ansible-core) / $(installed "$VENV" ansible-lint)"
fi
for t in "${TOOLS[@]}"; do ln -sfn "$VENV/bin/$t" "$CACHE_BIN/$t"; done

stage_begin "verify ansible-inventory, ansible-playbook --syntax-check, ansible-lint"
[[ "$(installed "$VENV" ansible-core)" == "$CORE" ]] || die "$VENV holds ansible-core $(installed "$VENV" ansible-core), expected $CORE"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export ANSIBLE_LOCAL_TEMP="$tmp/tmp" ANSIBLE_HOME="$tmp/home"
mkdir -p "$tmp/inventory" "$tmp/playbooks"
cat >"$tmp/inventory/check.yml" <<'YAML'
all:
  children:
    peers:
      hosts:
        peer-1: {ansible_host: 127.0.0.1, ansible_connection: local}
YAML
cat >"$tmp/playbooks/check.yml" <<'YAML'
---
- name: Peer check
  hosts: peers
  gather_facts: false
  tasks:
    - name: Say hello
      ansible.builtin.debug:
        msg: hello
YAML
"$VENV/bin/ansible-inventory" -i "$tmp/inventory/check.yml" --list >"$tmp/inv.json" 2>"$tmp/err.log" \
  || die "ansible-inventory --list failed: $(cat "$tmp/err.log")"
grep -q '"peer-1"' "$tmp/inv.json" || die "ansible-inventory --list lacks peer-1: $(cat "$tmp/inv.json")"
"$VENV/bin/ansible-playbook" --syntax-check -i "$tmp/inventory/check.yml" "$tmp/playbooks/check.yml" >"$tmp/syn.log" 2>&1 \
  || die "ansible-playbook --syntax-check failed: $(cat "$tmp/syn.log")"
printf -- '---\n- hosts: peers\n  tasks:\n    - shell: echo hi\n' >"$tmp/playbooks/bad.yml"
if (cd "$tmp" && "$VENV/bin/ansible-lint" --offline --profile production playbooks/bad.yml) >"$tmp/lint.log" 2>&1; then
  die "ansible-lint accepted a playbook without task names and with a bare module name"
fi
grep -q 'fqcn' "$tmp/lint.log" || die "ansible-lint failed without the fqcn rule: $(cat "$tmp/lint.log")"
(cd "$tmp" && "$VENV/bin/ansible-lint" --offline --profile production playbooks/check.yml) >"$tmp/lint-ok.log" 2>&1 \
  || die "ansible-lint --profile production rejected a clean playbook: $(cat "$tmp/lint-ok.log")"
stage_end "inventory ok, syntax-check ok, lint catches fqcn and passes a clean playbook"
log "installed: $VENV (ansible-core $CORE, ansible-lint $LINT); symlinks in $CACHE_BIN"
