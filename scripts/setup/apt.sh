# Sourced by the setup scripts: the one way they install Debian packages.
#   apt_install PKG...          apt-get update (once per script), then install without recommends
#   apt_install_missing PKG...  installs those of PKG not installed yet; sets apt_installed=(...)
#   apt_installed_p PKG         true when PKG is installed
#   apt_sources_changed         the next apt_install updates the lists again (a source was added)
#   apt_no_service_start CMD... runs CMD with invoke-rc.d told to start no service (Debian's
#                               packages of servers start one at install; the project runs its own)
# Every call waits up to 5 minutes for another apt's lock rather than failing.
# shellcheck shell=bash
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/apt-mirror.sh"
export DEBIAN_FRONTEND=noninteractive
_judgekit_apt_updated=0
_judgekit_apt() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }

apt_update() {
  if [[ $_judgekit_apt_updated -eq 0 ]]; then
    _judgekit_apt update -qq
    _judgekit_apt_updated=1
  fi
}

apt_sources_changed() { _judgekit_apt_updated=0; }

apt_install() {
  apt_update
  _judgekit_apt install -y -qq --no-install-recommends "$@" >/dev/null
}

apt_installed_p() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_install_missing() {
  apt_installed=()
  local pkg
  for pkg in "$@"; do apt_installed_p "$pkg" || apt_installed+=("$pkg"); done
  if ((${#apt_installed[@]})); then apt_install "${apt_installed[@]}"; fi
}

apt_no_service_start() {
  local added=0 status=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    # invoke-rc.d asks policy-rc.d before starting a service: 101 forbids it.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && added=1
  fi
  "$@" || status=$?
  if [[ $added -eq 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
  return "$status"
}
