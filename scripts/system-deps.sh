#!/usr/bin/env bash
# Install the system packages the tests need, from Debian's packages, when missing and when we are root.
# Java 17 for Spark, PostgreSQL 15 for the database-source tests, Chromium for the browser tests.
set -u
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing ${need[*]}; install them with apt-get (as root) — the tests that need them skip" >&2
  exit 0
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 || {
  echo "system-deps: apt-get install ${need[*]} failed; the tests that need them skip" >&2
}
exit 0
