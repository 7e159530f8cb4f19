#!/usr/bin/env bash
# The fault matrix of issue 7 at full strength (30 s broker/database outages, 500 events/s):
# builds, then runs test/reliability against a private Kafka + FerretDB and prints the table.
# `npm test` runs the same suite with the short profile. Usage: npm run fault-matrix
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/infra/install.sh
npm run --silent build
FAULT_MATRIX_PROFILE="${FAULT_MATRIX_PROFILE:-full}" E2E_SKIP_INFRA=1 \
  npx jest test/reliability --selectProjects e2e --runInBand
echo "table written to .infra/fault-matrix.json"
