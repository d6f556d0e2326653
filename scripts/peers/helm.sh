#!/usr/bin/env bash
# Installs Helm at peers.helm from src/catalog/versions.json with `go install` from
# the Go module proxy (helm.sh/helm/v3), for the `render --hydrate` tests.
#
# A plain `go install` build has no release ldflags: `helm version` prints only
# "v<major>.<minor>" and Helm's default Kubernetes version is v1.20.0, so charts with a
# kubeVersion constraint refuse to template unless --kube-version is given (otelstack
# always passes it). The module version is read from the binary (`go version -m`).
#
# Installs: $OTELSTACK_CACHE/bin/helm
set -euo pipefail
PEER_NAME=helm
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd go node grep

VERSION="$(peer_version helm)"
MOD=helm.sh/helm/v3
BIN="$CACHE_BIN/helm"
LOG="$OTELSTACK_CACHE/helm-install.log"

installed_version() { go version -m "$1" 2>/dev/null | awk -v m="$MOD" '$1=="mod" && $2==m {print $3; exit}'; }

if [[ -x "$BIN" && "$(installed_version "$BIN")" == "v$VERSION" ]]; then
  log "helm v$VERSION already installed ($BIN); skipping"
else
  stage_begin "go install $MOD/cmd/helm@v$VERSION"
  log "log: $LOG; on 2 cores a cold build (module download + compile) takes several minutes"
  tmpbin="$(mktemp -d)"
  if ! GOBIN="$tmpbin" go install "$MOD/cmd/helm@v$VERSION" >"$LOG" 2>&1; then
    grep -v 'go: downloading' "$LOG" | tail -n 20 >&2 || true
    rm -rf "$tmpbin"
    die "go install $MOD/cmd/helm@v$VERSION failed (log: $LOG)"
  fi
  # replace the binary in one rename, so a failed build never leaves half a helm behind
  mv -f "$tmpbin/helm" "$BIN"
  rmdir "$tmpbin"
  stage_end "$(installed_version "$BIN"), $(du -h "$BIN" | cut -f1) binary"
fi

stage_begin "verify helm version + template"
[[ "$(installed_version "$BIN")" == "v$VERSION" ]] || die "$BIN is $(installed_version "$BIN"), expected v$VERSION"
reported="$("$BIN" version --template '{{.Version}}' 2>&1)" || die "'$BIN version' failed: $reported"
[[ "v$VERSION" == "$reported"* ]] || die "'$BIN version' reports $reported, expected a prefix of v$VERSION"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Helm's own state (repositories, plugins, cache) stays in the throwaway directory.
export HELM_CACHE_HOME="$tmp/helm/cache" HELM_CONFIG_HOME="$tmp/helm/config" HELM_DATA_HOME="$tmp/helm/data"
mkdir -p "$tmp/chart/templates"
cat >"$tmp/chart/Chart.yaml" <<'EOF'
apiVersion: v2
name: peer-check
version: 0.1.0
kubeVersion: ">=1.25.0-0"
EOF
cat >"$tmp/chart/values.yaml" <<'EOF'
replicas: 1
EOF
cat >"$tmp/chart/templates/deployment.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-app
  namespace: {{ .Release.Namespace }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
        - name: app
          image: example.invalid/app:1
          resources:
            requests: {cpu: {{ required "cpu is required" .Values.cpu | quote }}}
EOF
"$BIN" template check "$tmp/chart" --namespace ns-check --kube-version 1.33.0 --set replicas=3 --set cpu=250m \
  >"$tmp/out.yaml" 2>"$tmp/err.log" || die "'helm template' of a known-good chart failed: $(cat "$tmp/err.log")"
for want in 'name: check-app' 'namespace: ns-check' 'replicas: 3' 'cpu: "250m"'; do
  grep -qF "$want" "$tmp/out.yaml" || die "'helm template' output lacks '$want':
$(cat "$tmp/out.yaml")"
done
# a required value left out must fail, naming it
if "$BIN" template check "$tmp/chart" --kube-version 1.33.0 >"$tmp/bad.yaml" 2>"$tmp/bad.log"; then
  die "'helm template' accepted a chart whose required value is missing"
fi
grep -q 'cpu is required' "$tmp/bad.log" || die "'helm template' failed without naming the missing value: $(cat "$tmp/bad.log")"
stage_end "template ok, required-value failure ok"
log "installed: $BIN (v$VERSION)"
