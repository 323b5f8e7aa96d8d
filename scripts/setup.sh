#!/usr/bin/env bash
# Sets up everything judgekit needs on a fresh Debian or Ubuntu machine, as root, idempotently:
# the npm dependencies, the host toolchains, nsjail, PostgreSQL's and Redis's servers, Docker with gVisor and the language images,
# then builds the packages. Fast when everything is already there. Each step says what it did.
#   scripts/setup.sh              everything
#   scripts/setup.sh --no-docker  skip Docker, gVisor and the images (nsjail only)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

docker=1
for arg in "$@"; do
  case "$arg" in
    --no-docker) docker=0 ;;
    *) echo "usage: scripts/setup.sh [--no-docker]" >&2; exit 2 ;;
  esac
done

say() { printf '[setup] %s\n' "$*"; }
started=$SECONDS

if [[ $(id -u) -ne 0 ]]; then
  say "run as root: sudo bash scripts/setup.sh" >&2
  exit 1
fi

# Node.js 20 or newer runs the judge; it comes from the machine (nodesource, nvm, a distribution).
if ! command -v node >/dev/null || (( $(node -p 'process.versions.node.split(".")[0]') < 20 )); then
  say "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none)); install it, then run this again" >&2
  exit 1
fi

# npm dependencies: reinstall only when the lock changed since the last install.
stamp=node_modules/.judgekit-lock-stamp
if [[ ! -f $stamp ]] || ! cmp -s package-lock.json "$stamp"; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
else
  say "npm dependencies: up to date"
fi

# nsjail.sh installs the languages' toolchains too (scripts/setup/toolchains.sh).
bash scripts/setup/nsjail.sh
# PostgreSQL's server binaries (no cluster is started: tests start their own, --postgres its own).
bash scripts/setup/postgres.sh
# Redis's server binary (not started: tests start their own, --redis its own).
bash scripts/setup/redis.sh
# Debian's Chromium for the playground's browser tests (playwright-core drives it; no download).
bash scripts/setup/chromium.sh
# Judge0's official SDK (PyPI), the third-party client of the Judge0 compatibility tests.
bash scripts/setup/judge0-sdk.sh
if (( docker )); then
  bash scripts/setup/docker.sh
else
  say "Docker: skipped (--no-docker)"
fi

say "building the packages"
npm run build --silent >/dev/null
say "ready in $((SECONDS - started)) s"
