#!/usr/bin/env bash
# Every way of starting the apps uses the Node.js options and the malloc settings of
# scripts/runtime/app-node-options.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source_file=scripts/runtime/app-node-options.ts
expected=$(sed -n "s/^export const APP_NODE_OPTIONS = '\(.*\)';$/\1/p" "$source_file")
[[ -n "$expected" ]] || { echo "node-options: APP_NODE_OPTIONS not found" >&2; exit 1; }
malloc=$(sed -n "s/^export const APP_MALLOC_ENV = '\(.*\)';$/\1/p" "$source_file")
[[ -n "$malloc" ]] || { echo "node-options: APP_MALLOC_ENV not found" >&2; exit 1; }
status=0
miss() {
  echo "node-options: $1 does not use \"$2\"" >&2
  status=1
}
for file in Dockerfile deploy/k8s/configmap.yaml scripts/dev.sh; do
  grep -qF -- "$expected" "$file" || miss "$file" "$expected"
done
# The shell forms (NAME=value ...), each start script with both, and the ConfigMap's (NAME: 'value').
for file in Dockerfile scripts/dev.sh; do
  grep -qF -- "$malloc" "$file" || miss "$file" "$malloc"
done
for script in start:producer-api start:consumer; do
  grep -F "\"$script\":" package.json | grep -qF -- "$malloc node $expected" || miss "package.json $script" "$malloc node $expected"
done
for pair in $malloc; do
  line="${pair%%=*}: '${pair#*=}'"
  grep -qF -- "$line" deploy/k8s/configmap.yaml || miss deploy/k8s/configmap.yaml "$line"
done
[[ $status -eq 0 ]] &&
  echo "node-options: Dockerfile, k8s ConfigMap, dev.sh and start scripts use \"$expected\" and \"$malloc\""
exit $status
