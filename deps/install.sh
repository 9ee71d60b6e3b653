#!/bin/sh
# Installs the Debian packages listed in a list file (default deps/debian.txt) that are
# missing. As root it runs apt-get; otherwise it prints the exact command and fails.
# A line may name a command after the package: when that command is already on the PATH
# (node from another packaging of Node.js, say), the package is not needed.
set -eu
list="${1:-$(dirname "$0")/debian.txt}"
missing=""
for entry in $(grep -v '^[[:space:]]*#' "$list" | awk 'NF { print $1 ":" $2 }'); do
  pkg=${entry%%:*}
  cmd=${entry#*:}
  if [ -n "$cmd" ] && command -v "$cmd" >/dev/null 2>&1; then continue; fi
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
  esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing
else
  echo "deps: missing Debian packages:$missing" >&2
  echo "deps: run as root: apt-get install -y$missing" >&2
  exit 1
fi
