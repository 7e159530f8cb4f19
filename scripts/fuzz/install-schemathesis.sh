#!/usr/bin/env bash
# Installs the pinned schemathesis (PyPI) into a cached venv under .infra/venvs/ and prints the path
# of its executable as the last line of stdout. Idempotent: a second run only prints the path.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SCHEMATHESIS_VERSION=4.32.5
venv=".infra/venvs/schemathesis-$SCHEMATHESIS_VERSION"
bin="$PWD/$venv/bin/schemathesis"
if [[ ! -x "$bin" ]] || ! "$bin" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
  command -v python3 >/dev/null || { echo "fuzz: python3 (3.9+) is required" >&2; exit 1; }
  echo "fuzz: installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" || { echo "fuzz: python3 -m venv failed (install python3-venv)" >&2; exit 1; }
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" >&2; then
    rm -rf "$venv" # a half-installed venv would look cached next time
    echo "fuzz: could not install schemathesis==$SCHEMATHESIS_VERSION from PyPI (see pip output above)" >&2
    exit 1
  fi
  echo "fuzz: installed $("$bin" --version)" >&2
fi
echo "$bin"
