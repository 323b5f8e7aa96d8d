#!/usr/bin/env bash
# Installs Judge0's official Python SDK (the PyPI package `judge0`, pinned) into a virtualenv the
# project owns, for the Judge0 compatibility tests: a real third-party client, unchanged, against a
# listening judgekit server. Idempotent and quick when it is already there.
#   JUDGEKIT_JUDGE0_SDK_VENV   where the virtualenv lives (default /opt/judgekit/judge0-sdk-venv)
set -euo pipefail

VENV="${JUDGEKIT_JUDGE0_SDK_VENV:-/opt/judgekit/judge0-sdk-venv}"
VERSION=0.0.8
say() { printf '[judge0 sdk setup] %s\n' "$*"; }

if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "import judge0, sys; sys.exit(judge0.__version__ != '$VERSION')" 2>/dev/null; then
  say "judge0 $VERSION already installed in $VENV"
  exit 0
fi
if [[ $(id -u) -ne 0 && ! -w "$(dirname "$VENV")" ]]; then
  echo "[judge0 sdk setup] run as root (sudo bash $0), or set JUDGEKIT_JUDGE0_SDK_VENV to a folder you own" >&2
  exit 1
fi
PY=/usr/bin/python3
if ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  say "installing python3-venv"
  . "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/apt.sh"
  apt_install python3-venv
fi
say "creating $VENV and installing judge0==$VERSION from PyPI"
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV"
# Pinned with the versions it was tested with, so a new httpx or pydantic cannot change the test.
"$VENV/bin/pip" install --quiet --disable-pip-version-check "judge0==$VERSION" "httpx==0.28.1" "pydantic==2.14.4"
"$VENV/bin/python" -c "import judge0; print('[judge0 sdk setup] installed judge0', judge0.__version__)"
