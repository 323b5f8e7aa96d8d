#!/usr/bin/env bash
# Installs the host toolchains of judgekit's nine built-in languages (and Lua, the worked example
# of docs/languages.md) on a Debian/Ubuntu host, as root, idempotently. The nsjail runner mounts
# the host's /usr read-only into each sandbox, so every toolchain lives under /usr:
#   python3                    python3
#   c, cpp                     gcc g++ libc6-dev
#   java                       default-jdk-headless (OpenJDK 17 on Debian 12)
#   javascript                 nodejs (kept when /usr/bin/node exists: that Node also runs the judge)
#   typescript                 esbuild's static binary from npm in /usr/local/lib/judgekit/esbuild/bin
#   typescript-tsc             the npm packages typescript + @types/node in /usr/local/lib/judgekit/typescript,
#                              linked as /usr/local/bin/tsc (Debian's node-typescript has no Node types)
#   go                         golang-go, from <codename>-backports when there is one (1.23 instead of 1.19),
#                              with the standard library precompiled into GOROOT/pkg (see below)
#   rust                       rustc-web (a recent rustc built for Debian 12), else rustc
#   bash                       bash
#   lua (docs example)         lua5.4
# A rerun on a ready host takes about a second and changes nothing.
# Usage: scripts/setup/toolchains.sh
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/apt.sh"

say() { printf '[setup/toolchains] %s\n' "$*"; }
if [[ $(id -u) -ne 0 ]]; then say "must run as root (sudo $0)"; exit 1; fi

installed() { apt_installed_p "$1"; }
available() { apt_update_if_empty; [[ -n "$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" {print $2}')" ]]; }
apt_update_if_empty() { if [[ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]]; then apt_update; fi; }

. /etc/os-release
codename="${VERSION_CODENAME:-}"

# 1. Distribution packages.
want=(python3 gcc g++ libc6-dev default-jdk-headless bash lua5.4 ca-certificates)
[[ -x /usr/bin/node ]] || want+=(nodejs)
if ! installed rustc-web && ! installed rustc; then
  if available rustc-web; then want+=(rustc-web); else want+=(rustc); fi
fi
apt_install_missing "${want[@]}"
missing=("${apt_installed[@]}")
if ((${#missing[@]})); then
  say "installed ${missing[*]}"
else
  say "python3, gcc, g++, JDK, bash, lua5.4, node and rustc already installed"
fi

# 2. Go from backports when the distribution's main suite is old (Debian 12 has 1.19 there).
#    On Debian the backports suite is added (as scripts/setup/docker.sh does) from the mirror already
#    configured, so the Go version does not depend on which setup script ran first; no host name
#    is written here. Elsewhere the main suite's Go is used.
if [[ "${ID:-}" == debian && -n "$codename" ]] && ! grep -rqs -- "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  uri=$(judgekit_apt_mirror "$codename")
  if [[ -n "$uri" ]]; then
    # The same file name as scripts/setup/docker.sh, so the two never add the suite twice.
    printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$uri" "$codename" >/etc/apt/sources.list.d/judgekit-backports.sources
    apt_sources_changed
    say "added ${codename}-backports from the configured mirror (for Go)"
  fi
fi
if ! installed golang-go; then
  apt_update
  if [[ -n "$codename" ]] && apt-cache madison golang-go 2>/dev/null | grep -q -- "${codename}-backports"; then
    apt_install -t "${codename}-backports" golang-go
    say "installed golang-go from ${codename}-backports"
  else
    apt_install golang-go
    say "installed golang-go"
  fi
else
  say "golang-go already installed"
fi

# 3. Go's standard library, precompiled. Since Go 1.20 GOROOT ships no compiled packages, so the
#    first build of a hello world compiles the runtime and fmt (about 10 s of CPU) into GOCACHE.
#    A sandbox has a fresh, empty GOCACHE for each submission, and the toolchain is mounted
#    read-only, so that cost would repeat on every submission. `GODEBUG=installgoroot=all go
#    install std` writes the compiled packages into GOROOT/pkg once, and `go build` then uses
#    them (it checks them by build ID, so a Go upgrade makes them stale, and this step redoes them).
#    The flags match the built-in `go` language: CGO_ENABLED=0, default GOFLAGS.
goroot=$(/usr/bin/go env GOROOT)
go_cache=$(mktemp -d)
go_env=(env -i PATH=/usr/bin:/bin HOME=/tmp GOCACHE="$go_cache" GOPATH=/tmp/go-judgekit-setup CGO_ENABLED=0 GO111MODULE=off GOTOOLCHAIN=local GODEBUG=installgoroot=all)
if [[ -n "$("${go_env[@]}" /usr/bin/go list -f '{{if .Stale}}{{.ImportPath}}{{end}}' std 2>/dev/null | head -n1)" ]]; then
  t0=$SECONDS
  "${go_env[@]}" /usr/bin/go install std
  say "precompiled Go's standard library into $goroot/pkg in $((SECONDS - t0)) s"
else
  say "Go's standard library is already precompiled in $goroot/pkg"
fi
rm -rf /tmp/go-judgekit-setup "$go_cache"

# 4. TypeScript: the compiler and Node's type declarations from npm, in a folder of judgekit's own
#    under /usr (so the sandbox sees it), pinned so every host compiles the same way.
ts_prefix=/usr/local/lib/judgekit/typescript
ts_want="typescript@5.6.3 @types/node@20.17.6"
if [[ "$(cat "$ts_prefix/.judgekit-packages" 2>/dev/null)" != "$ts_want" ]]; then
  command -v npm >/dev/null || { apt_install npm; say "installed npm"; }
  rm -rf "$ts_prefix.tmp" && mkdir -p "$ts_prefix.tmp"
  # shellcheck disable=SC2086
  npm install --prefix "$ts_prefix.tmp" --no-audit --no-fund --no-save --loglevel=error $ts_want >/dev/null
  echo "$ts_want" >"$ts_prefix.tmp/.judgekit-packages"
  rm -rf "$ts_prefix" && mv "$ts_prefix.tmp" "$ts_prefix"
  chmod -R a+rX "$ts_prefix"
  say "installed $ts_want into $ts_prefix"
else
  say "$ts_want already in $ts_prefix"
fi
ln -sfn ../lib/judgekit/typescript/node_modules/typescript/bin/tsc /usr/local/bin/tsc

# 5. esbuild, which strips TypeScript's types for the default `typescript` language (about 10 ms
#    for a hello world against 2-4 s of tsc): npm's package of its static binary, pinned, in a
#    folder of its own. The binary is the platform package's (`@esbuild/linux-x64` here), copied
#    to bin/esbuild so no Node shim starts in front of it.
esb_prefix=/usr/local/lib/judgekit/esbuild
esb_want="esbuild@0.28.2"
if [[ "$(cat "$esb_prefix/.judgekit-packages" 2>/dev/null)" != "$esb_want" || ! -x "$esb_prefix/bin/esbuild" ]]; then
  command -v npm >/dev/null || { apt_install npm; say "installed npm"; }
  rm -rf "$esb_prefix.tmp" && mkdir -p "$esb_prefix.tmp/bin"
  npm install --prefix "$esb_prefix.tmp" --no-audit --no-fund --no-save --loglevel=error "$esb_want" >/dev/null
  native=$(find "$esb_prefix.tmp/node_modules/@esbuild" -path '*/bin/esbuild' -type f | head -n1)
  [[ -n "$native" ]] || { say "no native esbuild binary in $esb_prefix.tmp/node_modules/@esbuild"; exit 1; }
  cp "$native" "$esb_prefix.tmp/bin/esbuild"
  rm -rf "$esb_prefix.tmp/node_modules" "$esb_prefix.tmp/package.json" "$esb_prefix.tmp/package-lock.json"
  echo "$esb_want" >"$esb_prefix.tmp/.judgekit-packages"
  rm -rf "$esb_prefix" && mv "$esb_prefix.tmp" "$esb_prefix"
  chmod -R a+rX "$esb_prefix"
  say "installed $esb_want into $esb_prefix"
else
  say "$esb_want already in $esb_prefix"
fi

# 6. What a sandbox will find (PATH=/usr/local/bin:/usr/bin:/bin, as in the runners).
export PATH=/usr/local/bin:/usr/bin:/bin
say "python3 $(python3 --version 2>&1 | cut -d' ' -f2), gcc $(gcc -dumpfullversion), g++ $(g++ -dumpfullversion)," \
  "javac $(javac -version 2>&1 | cut -d' ' -f2), node $(node --version), tsc $(tsc --version | cut -d' ' -f2), esbuild $("$esb_prefix/bin/esbuild" --version)," \
  "go $(go env GOVERSION), rustc $(rustc --version | cut -d' ' -f2), bash ${BASH_VERSION%%(*}, lua $(lua5.4 -v | cut -d' ' -f2)"
say "done"
