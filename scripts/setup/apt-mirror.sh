# Sourced by the setup scripts. judgekit_apt_mirror CODENAME prints the URI of the apt source
# already configured for CODENAME (deb822 .sources files first, then sources.list), or nothing.
# The mirror comes from the machine's own configuration: no host name is written anywhere.
judgekit_apt_mirror() {
  local codename=$1 f uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    uri=$(awk -v cn="$codename" '
      /^URIs:/ { u=$2 } /^Suites:/ { for (i=2;i<=NF;i++) if ($i==cn) ok=1 }
      /^$/ { if (ok && u!="") { print u; exit } ok=0; u="" }
      END { if (ok && u!="") print u }' "$f" | head -n1)
    [[ -n "$uri" ]] && break
  done
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri=$(awk -v cn="$codename" '$1=="deb" && $3==cn { print $2; exit }' /etc/apt/sources.list)
  fi
  printf '%s' "$uri"
}
