#!/usr/bin/env bash
# README command 1 (`npm run dev`): installs and starts Kafka and FerretDB, provisions the topics,
# builds and starts both apps, and stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export KAFKAJS_NO_PARTITIONER_WARNING=1
PRODUCER_API_PORT="${PRODUCER_API_PORT:-3000}" CONSUMER_PORT="${CONSUMER_PORT:-3001}"
export PRODUCER_API_PORT CONSUMER_PORT

[[ -d node_modules ]] || npm ci --no-audit --no-fund
bash scripts/infra/install.sh
bash scripts/infra/up.sh
echo "[dev] building the apps"
npm run --silent build

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "[dev] stopping the apps"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  bash scripts/infra/down.sh
}
trap stop_all INT TERM EXIT

mkdir -p .infra/logs
# Bounded heap and malloc settings, as in the image (scripts/runtime/app-node-options.ts).
export NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
export MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
node dist/apps/producer-api/src/main.js > >(tee .infra/logs/producer-api.log | sed -u 's/^/[producer-api] /') 2>&1 &
pids+=($!)
node dist/apps/consumer/src/main.js > >(tee .infra/logs/consumer.log | sed -u 's/^/[consumer] /') 2>&1 &
pids+=($!)

for url in "http://127.0.0.1:$PRODUCER_API_PORT/health/ready" "http://127.0.0.1:$CONSUMER_PORT/health/ready"; do
  for _ in $(seq 1 60); do curl -sf "$url" >/dev/null && break; sleep 1; done
done
cat <<MSG

[dev] the pipeline is running:
  producer-api  Swagger UI  http://127.0.0.1:$PRODUCER_API_PORT/docs     health  http://127.0.0.1:$PRODUCER_API_PORT/health/ready
  consumer      Swagger UI  http://127.0.0.1:$CONSUMER_PORT/docs     health  http://127.0.0.1:$CONSUMER_PORT/health/ready
  try:  curl -s -XPOST http://127.0.0.1:$PRODUCER_API_PORT/v1/activities -H 'content-type: application/json' \\
          -d '{"userId":"user123","activityType":"login","metadata":{"ipAddress":"192.168.1.1"}}'
  then: curl -s http://127.0.0.1:$CONSUMER_PORT/v1/activities/<eventId>
  Ctrl-C stops the apps, Kafka and FerretDB.

MSG
wait -n "${pids[@]}" || true
echo "[dev] an app exited; see .infra/logs/"
