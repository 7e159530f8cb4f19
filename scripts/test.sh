#!/usr/bin/env bash
# README command 2 (`npm test`): lint, type check, build, unit tests, then the e2e tests against the
# real Kafka broker and FerretDB. Starts the infrastructure when it is not running, and stops it
# again at the end only if it started it here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
export TZ=UTC KAFKAJS_NO_PARTITIONER_WARNING=1

step "infrastructure: install (cached under .infra/)"
bash scripts/infra/install.sh
started_here=0
if ! bash scripts/infra/status.sh >/dev/null 2>&1; then
  step "infrastructure: start"
  bash scripts/infra/up.sh
  started_here=1
fi
cleanup() { if ((started_here)); then step "infrastructure: stop"; bash scripts/infra/down.sh || true; fi; }
trap cleanup EXIT

step "lint (eslint + prettier, zero warnings)"
npm run --silent lint
step "type check"
npm run --silent typecheck
step "build"
npm run --silent build
for check in scripts/checks/*.sh; do
  [[ -e "$check" ]] || continue
  step "check: $(basename "$check" .sh)"
  bash "$check"
done

step "tests: unit + e2e (jest)"
mkdir -p .infra
results=.infra/jest-results.json
status=0
E2E_SKIP_INFRA=1 npx jest --ci --runInBand --json --outputFile="$results" "$@" || status=$?
node -e '
  const r = require(require("path").resolve(process.argv[1]));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
' "$results" || status=1
exit "$status"
