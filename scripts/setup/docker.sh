#!/usr/bin/env bash
# Installs what @judgekit/runner-docker needs on a Debian/Ubuntu host, as root, idempotently:
#   docker.io and debootstrap from the distribution, gVisor's runsc from bookworm-backports,
#   the runsc runtime merged into /etc/docker/daemon.json, dockerd started when none runs,
#   and the language images built from a debootstrap root filesystem (no registry needed).
# Every step says what it did; a rerun on a ready host takes a few seconds.
# Usage: scripts/setup/docker.sh [--no-images] [IMAGE_LANGS...]   (default languages: see scripts/images/build.sh)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/apt.sh"
build_images=1
if [[ "${1:-}" == "--no-images" ]]; then build_images=0; shift; fi

say() { printf '[setup/docker] %s\n' "$*"; }
need_root() { if [[ $(id -u) -ne 0 ]]; then say "must run as root (sudo $0)"; exit 1; fi; }
need_root


# 1. docker.io and debootstrap from the distribution.
apt_install_missing docker.io debootstrap
if ((${#apt_installed[@]})); then
  say "installed ${apt_installed[*]}"
else
  say "docker.io and debootstrap already installed"
fi

# 2. gVisor's runsc from <codename>-backports. The main suite's 2022 build uses the ptrace platform
#    and was 12x slower on syscall-heavy programs; backports ships the systrap platform.
. /etc/os-release
codename="${VERSION_CODENAME:-bookworm}"
backports_file=/etc/apt/sources.list.d/judgekit-backports.sources
if [[ "${ID:-}" == "debian" ]]; then
  if ! grep -rqs -- "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # The mirror URI is taken from the sources already configured; no host name is written here.
    uri=$(judgekit_apt_mirror "$codename")
    if [[ -z "$uri" ]]; then say "no apt source for $codename found; cannot derive a backports source"; exit 1; fi
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    cat >"$backports_file" <<SRC
Types: deb
URIs: $uri
Suites: ${codename}-backports
Components: main
Signed-By: $keyring
SRC
    say "added ${codename}-backports source from the configured mirror ($backports_file)"
    apt_sources_changed
  fi
  cand=$(apt-cache policy runsc 2>/dev/null | awk '/Candidate:/ {print $2}')
  inst=$(dpkg-query -W -f='${Version}' runsc 2>/dev/null || true)
  bp=$(apt-cache madison runsc 2>/dev/null | awk -v s="${codename}-backports" '$0 ~ s {print $3; exit}')
  if [[ -z "$bp" ]]; then apt_update; bp=$(apt-cache madison runsc 2>/dev/null | awk -v s="${codename}-backports" '$0 ~ s {print $3; exit}'); fi
  if [[ -n "$bp" && "$inst" != "$bp" ]]; then
    apt_install -t "${codename}-backports" runsc
    say "installed runsc $bp from ${codename}-backports"
  elif [[ -z "$bp" && -z "$inst" ]]; then
    apt_install runsc
    say "installed runsc ${cand} (no backports build found; expect slow syscalls on the ptrace platform)"
  else
    say "runsc $inst already installed"
  fi
elif ! command -v runsc >/dev/null; then
  say "runsc is not packaged for ${ID:-this distribution}; install gVisor: https://gvisor.dev/docs/user_guide/install/"
  exit 1
fi
runsc_path=$(command -v runsc)

# 3. Register runsc in /etc/docker/daemon.json by merging. --network=none as a runtime argument:
#    without it, runsc refuses to start with "cannot run with network enabled in root network namespace".
mkdir -p /etc/docker
daemon_json=/etc/docker/daemon.json
changed=$(RUNSC="$runsc_path" FILE="$daemon_json" node -e '
  const fs = require("node:fs");
  const file = process.env.FILE;
  let conf = {};
  try { conf = JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) { if (e.code !== "ENOENT") throw e; }
  const want = { path: process.env.RUNSC, runtimeArgs: ["--network=none"] };
  conf.runtimes ??= {};
  if (JSON.stringify(conf.runtimes.runsc) === JSON.stringify(want)) { console.log("no"); process.exit(0); }
  conf.runtimes.runsc = want;
  fs.writeFileSync(file + ".tmp", JSON.stringify(conf, null, 2) + "\n");
  fs.renameSync(file + ".tmp", file);
  console.log("yes");
')
if [[ "$changed" == yes ]]; then say "merged the runsc runtime into $daemon_json"; else say "runsc runtime already in $daemon_json"; fi

# 4. dockerd: start it in the background when none answers (no systemd on these hosts).
sock=/var/run/docker.sock
if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  if [[ "$changed" == yes ]]; then
    kill -HUP "$(cat /var/run/docker.pid)"
    say "dockerd already running; reloaded its configuration (SIGHUP)"
    sleep 1
  else
    say "dockerd already running"
  fi
else
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    systemctl start docker
    say "started docker with systemctl"
  else
    rm -f /var/run/docker.pid
    nohup dockerd >/var/log/judgekit-dockerd.log 2>&1 </dev/null &
    say "started dockerd in the background (pid $!, log /var/log/judgekit-dockerd.log)"
  fi
  for _ in $(seq 1 120); do
    if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then break; fi
    sleep 0.25
  done
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || { say "dockerd did not answer on $sock within 30 s; see /var/log/judgekit-dockerd.log"; tail -n 20 /var/log/judgekit-dockerd.log || true; exit 1; }
fi
say "engine $(docker version --format '{{.Server.Version}}'), runtimes: $(docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}')"

# 5. Images, built from a debootstrap root filesystem and imported (no registry).
if [[ $build_images -eq 1 ]]; then
  bash "$here/../images/build.sh" "$@"
fi
say "done"
