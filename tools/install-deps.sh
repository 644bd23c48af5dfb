#!/bin/sh
# install-deps.sh — install the Debian 12 packages Carnet needs, if missing.
# Usage: tools/install-deps.sh build|check|bench|fuzz   (root: apt-get; otherwise it
# says what to install and fails).
set -eu
need="gcc make pkg-config libmicrohttpd-dev libsqlite3-dev libsodium-dev libjansson-dev libical-dev libcmark-dev libmagic-dev libcurl4-openssl-dev libpq-dev libxml2-dev libzip-dev"
case "${1:-build}" in
  build) ;;
  check) need="$need libcmocka-dev curl chromium sqlite3 clamav-daemon python3-aiosmtpd postgresql-15 haproxy" ;;
  bench) need="$need wrk curl sqlite3 python3-aiosmtpd postgresql-15 haproxy time" ;;
  fuzz) need="$need clang" ;;
  *) echo "usage: $0 build|check|bench|fuzz" >&2; exit 2 ;;
esac
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# Node.js and npm drive the browser tests; any installed node will do.
if [ "${1:-build}" = check ]; then
  command -v node >/dev/null 2>&1 || missing="$missing nodejs"
  command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Carnet needs these Debian packages:$missing" >&2
  echo "Install them as root: apt-get install$missing" >&2
  exit 1
fi
echo "Installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
