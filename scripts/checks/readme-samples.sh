#!/usr/bin/env bash
# README "Extending": every code block whose first line names a file (`// docs/extending/x.ts — ...`)
# must be that file, byte for byte. The files are type-checked and linted with the rest of the
# tree, so a sample that no longer compiles fails `npm test`, and so does one that drifted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
python3 - <<'PY'
import re, sys, pathlib
readme = pathlib.Path('README.md').read_text()
blocks = re.findall(r'```ts\n(// (docs/extending/[\w.-]+\.ts)[^\n]*\n.*?)```', readme, re.S)
if not blocks:
    sys.exit('readme-samples: README has no code block naming a docs/extending file')
bad = []
for text, path in blocks:
    if not pathlib.Path(path).exists() or pathlib.Path(path).read_text() != text:
        bad.append(path)
files = sorted(str(p) for p in pathlib.Path('docs/extending').glob('*.ts'))
missing = sorted(set(files) - {p for _, p in blocks})
if bad or missing:
    for p in bad: print(f'readme-samples: the README block for {p} differs from the file', file=sys.stderr)
    for p in missing: print(f'readme-samples: {p} is not shown in the README', file=sys.stderr)
    sys.exit(1)
print(f'readme-samples: {len(blocks)} README samples match docs/extending/ (type-checked and linted)')
PY
