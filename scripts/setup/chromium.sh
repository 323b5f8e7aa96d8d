#!/usr/bin/env bash
# Debian's Chromium for the playground's browser tests (driven by playwright-core through its
# executablePath: no browser is downloaded), as root, idempotently. Prints the version.
set -euo pipefail

say() { printf '[chromium setup] %s\n' "$*" >&2; }
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/apt.sh"

if [[ $(id -u) -ne 0 ]]; then
  echo "[chromium setup] run as root (sudo bash $0)" >&2
  exit 1
fi

if ! command -v chromium >/dev/null 2>&1; then
  say "installing Debian's chromium"
  apt_install chromium fonts-dejavu-core
fi
say "$(chromium --version 2>/dev/null || echo 'chromium: installed')"
