#!/usr/bin/env bash
# Validates deploy/k8s offline: every resource against the Kubernetes OpenAPI schemas bundled in the
# PyPI package kubernetes-validate (no schema download at run time), then the cross-checks of
# k8s-structure.py (selectors, probe paths and ports, replicas <= partitions, configuration keys).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
K8S_VERSION=1.31.0
venv=.infra/tools/k8s-validate
if [[ ! -x "$venv/bin/kubernetes-validate" ]]; then
  command -v python3 >/dev/null || { echo "k8s: python3 is required" >&2; exit 1; }
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'kubernetes-validate==1.37.0' ||
    { echo "k8s: could not install kubernetes-validate from PyPI" >&2; exit 1; }
fi
manifests=$(ls deploy/k8s/*.yaml | grep -v kustomization.yaml)
# shellcheck disable=SC2086 # one argument per file
"$venv/bin/kubernetes-validate" --strict --quiet -k "$K8S_VERSION" $manifests
echo "k8s: $(echo "$manifests" | wc -l) files valid against the Kubernetes $K8S_VERSION schemas (strict)"
"$venv/bin/python" scripts/checks/k8s-structure.py .
