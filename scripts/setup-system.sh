#!/usr/bin/env bash
# Installs the Debian packages a target needs, only those missing. Usage: setup-system.sh PKG...
# Runs apt-get as root (CI and these machines) or through sudo; says what to install otherwise.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
  echo "Missing system packages: ${missing[*]}. Install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "==> Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# An old or empty package list makes apt-get install fail: refresh it when older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
  $sudo apt-get update -q >/dev/null
fi
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
