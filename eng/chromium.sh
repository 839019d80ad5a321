#!/usr/bin/env bash
# Prints the path of the system Chromium the browser tests drive, installing Debian's chromium
# package as root when it is missing. Test tools never download a browser of their own.
set -euo pipefail
for candidate in "${SITUK_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found: installing Debian's chromium package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
  [ -x /usr/bin/chromium ] && { echo /usr/bin/chromium; exit 0; }
fi
cat >&2 <<MSG
The browser tests need Chromium and could not find it.
  Debian/Ubuntu:  sudo apt-get install -y chromium
Or name a Chromium binary in SITUK_CHROMIUM.
MSG
exit 3
