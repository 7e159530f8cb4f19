#!/usr/bin/env bash
# The checked-in OpenAPI documents (docs/openapi/*.json) must be what the code generates.
# Runs after the build (scripts/test.sh); fix a failure with `npm run openapi` and commit the result.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
dist="${OPENAPI_DIST_DIR:-dist}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node "$dist/scripts/openapi.js" "$tmp" >/dev/null
status=0
for file in producer-api.json consumer.json; do
  if ! diff -u "docs/openapi/$file" "$tmp/$file"; then
    echo "docs/openapi/$file differs from the code (diff above); run: npm run openapi" >&2
    status=1
  fi
done
((status == 0)) && echo "docs/openapi/*.json match the code"
exit "$status"
