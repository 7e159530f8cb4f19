#!/usr/bin/env bash
# The fault matrix of issue 7 at full strength (30 s broker/database outages, 500 events/s):
# builds, then runs test/reliability against a private Kafka + FerretDB and prints the table.
# `npm test` runs the same suite with the short profile. Usage: npm run fault-matrix
# With --cluster: the Kafka cluster matrix (test/cluster) instead, every row, on a private 3-node
# KRaft cluster with replication factor 3 (README "Kafka cluster"). Usage: npm run fault-matrix -- --cluster
# With --dr: the disaster-recovery test (two clusters, MirrorMaker 2 from install.sh mirror).
# With --scale: events/s with 1 vs 2 API and 1 vs 3 consumer instances on a private 3-node cluster.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/infra/install.sh
npm run --silent build
if [[ "${1:-}" == --dr ]]; then
  bash scripts/infra/install.sh mirror
  E2E_SKIP_INFRA=1 npx jest -c test/cluster/jest.dr.config.ts --runInBand
  echo "figures written to .infra/dr.json"
  exit
fi
if [[ "${1:-}" == --scale ]]; then
  E2E_SKIP_INFRA=1 npx jest -c test/cluster/jest.scale.config.ts --runInBand
  echo "figures written to .infra/scale-throughput.json"
  exit
fi
if [[ "${1:-}" == --cluster ]]; then
  CLUSTER_MATRIX_PROFILE="${CLUSTER_MATRIX_PROFILE:-full}" E2E_SKIP_INFRA=1 \
    npx jest test/cluster --selectProjects e2e --runInBand
  echo "table written to .infra/cluster-matrix.json"
  exit
fi
FAULT_MATRIX_PROFILE="${FAULT_MATRIX_PROFILE:-full}" E2E_SKIP_INFRA=1 \
  npx jest test/reliability --selectProjects e2e --runInBand
echo "table written to .infra/fault-matrix.json"
