#!/usr/bin/env bash
# Checks deploy/prometheus: rule syntax (`promtool check rules`), the rules' unit tests
# (`promtool test rules`), the example scrape configuration (`promtool check config`), and every
# query of the Grafana dashboard (parsed as recording rules; metric names checked against the catalogue).
# promtool comes from Debian's `prometheus` package, installed here when missing and we are root.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root/deploy/prometheus"
if ! command -v promtool >/dev/null; then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "promtool: not found; install Debian's 'prometheus' package (apt-get install prometheus)" >&2
    exit 1
  fi
  echo "promtool: installing Debian's prometheus package"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus; } >/dev/null 2>&1 ||
    { echo "promtool: apt-get install prometheus failed" >&2; exit 1; }
fi
promtool check rules alerts.yml
promtool test rules alerts.test.yml
promtool check config --syntax-only prometheus.yml
queries=$(mktemp --suffix=.json)
trap 'rm -f "$queries"' EXIT
python3 "$root/scripts/checks/dashboard-queries.py" "$root" "$queries"
promtool check rules "$queries" | sed 's#^Checking .*#Checking dashboard queries#'
