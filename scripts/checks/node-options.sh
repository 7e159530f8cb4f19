#!/usr/bin/env bash
# Every way of starting the apps uses the Node.js options of scripts/runtime/app-node-options.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
expected=$(sed -n "s/^export const APP_NODE_OPTIONS = '\(.*\)';$/\1/p" scripts/runtime/app-node-options.ts)
[[ -n "$expected" ]] || { echo "node-options: APP_NODE_OPTIONS not found" >&2; exit 1; }
status=0
for file in Dockerfile deploy/k8s/configmap.yaml scripts/dev.sh package.json; do
  if ! grep -qF -- "$expected" "$file"; then
    echo "node-options: $file does not use \"$expected\"" >&2
    status=1
  fi
done
[[ $status -eq 0 ]] && echo "node-options: Dockerfile, k8s ConfigMap, dev.sh and start scripts use \"$expected\""
exit $status
