#!/usr/bin/env bash
# The client SDK's wire types (libs/client-sdk/src/api-types.ts) must be what the producer-api's
# OpenAPI document generates (scripts/client-sdk-types.ts). Runs after the build and after
# openapi.sh; fix a failure with `npm run build && node dist/scripts/client-sdk-types.js`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
dist="${OPENAPI_DIST_DIR:-dist}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node "$dist/scripts/client-sdk-types.js" "$tmp/api-types.ts" >/dev/null
if ! diff -u libs/client-sdk/src/api-types.ts "$tmp/api-types.ts"; then
  echo "libs/client-sdk/src/api-types.ts differs from docs/openapi/producer-api.json (diff above); run: npm run build && node dist/scripts/client-sdk-types.js" >&2
  exit 1
fi
echo "libs/client-sdk/src/api-types.ts matches the OpenAPI document"
