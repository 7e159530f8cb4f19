#!/usr/bin/env bash
# Fuzzes one running app from the OpenAPI document it serves (usage below). The checks: no 5xx,
# every status documented, content type and body conform to the document (errors: problem+json).
# Bounded and seeded so that a run is short and repeatable. FUZZ_EXTRA_CHECKS adds checks,
# FUZZ_MAX_EXAMPLES / FUZZ_SEED change the bounds; extra arguments go to schemathesis. No x-api-key
# is generated: run the app with API_AUTH=off, or pass -H 'x-api-key: ...'.
set -euo pipefail
if (($# < 2)); then
  echo "usage: $0 <base-url, e.g. http://127.0.0.1:3000> <report-dir> [schemathesis options]" >&2
  exit 2
fi
base_url="${1%/}"
report_dir="$(mkdir -p "$2" && cd "$2" && pwd)"
shift 2
case "$base_url" in
  http://127.0.0.1:* | http://localhost:* | http://\[::1\]:*) ;;
  *) echo "fuzz: refusing to fuzz $base_url (loopback only)" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$(bash "$here/install-schemathesis.sh" | tail -1)"
# Schemathesis keeps a cache (.schemathesis/) in its working directory: one per run, not in the repo.
cd "$report_dir"
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
# hooks.py: the one cross-field rule of the producer the document cannot state (see there).
export SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
exec "$bin" --config-file "$here/schemathesis.toml" run "$base_url/docs-json" --url "$base_url" \
  --checks "$checks${FUZZ_EXTRA_CHECKS:+,$FUZZ_EXTRA_CHECKS}" \
  --max-examples "${FUZZ_MAX_EXAMPLES:-100}" --seed "${FUZZ_SEED:-20261127}" \
  --generation-with-security-parameters false \
  --workers 1 --max-redirects 0 --request-timeout 10 --generation-database none \
  --no-color --report junit --report-dir "$report_dir" --report-junit-path "$report_dir/junit.xml" \
  "$@"
