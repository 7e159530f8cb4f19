#!/usr/bin/env python3
"""Turns every query of the Grafana dashboard into a recording rule, so `promtool check rules` parses
them, and checks that every eyego_* metric the dashboard and the alerts use is in the catalogue
(libs/platform/src/metrics/metrics.ts) or a prom-client default metric.
Usage: dashboard-queries.py <repo root> <rules file to write>"""
import json
import re
import sys
from pathlib import Path

root, out = Path(sys.argv[1]), Path(sys.argv[2])
dashboard = json.loads((root / 'deploy/grafana/eyego-pipeline.json').read_text())
exprs = [t['expr'] for p in dashboard['panels'] for t in p.get('targets', [])]
if not exprs:
    sys.exit('dashboard: no queries found')

def concrete(expr):
    return expr.replace('$__rate_interval', '5m').replace('$job', '.*')

rules = [{'record': f'dashboard:query_{i}', 'expr': concrete(e)} for i, e in enumerate(exprs)]
out.write_text(json.dumps({'groups': [{'name': 'dashboard', 'rules': rules}]}, indent=1))

catalogue = (root / 'libs/platform/src/metrics/metrics.ts').read_text()
used = set(re.findall(r'eyego_([a-z0-9_]+)', ' '.join(exprs) + (root / 'deploy/prometheus/alerts.yml').read_text()))
missing = []
for name in sorted(used):
    base = re.sub(r'_(bucket|sum|count)$', '', name)
    if base.startswith(('process_', 'nodejs_')):
        continue
    if f'PREFIX}}{base}`' not in catalogue:
        missing.append(f'eyego_{name}')
if missing:
    sys.exit('dashboard/alerts use metrics that are not in the catalogue: ' + ', '.join(missing))
print(f'dashboard: {len(exprs)} queries, {len(used)} metric names, all in the catalogue')
