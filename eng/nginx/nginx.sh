#!/usr/bin/env bash
# Prints the path of the nginx that `./build.sh --target=Up --brokers=N` puts in front of the brokers,
# installing Debian's nginx-light package as root when it is missing. Up starts its own nginx with a
# generated configuration on the development ports; the package's own service is not used.
set -euo pipefail
for candidate in "${SITUK_NGINX:-}" /usr/sbin/nginx /usr/bin/nginx "$(command -v nginx 2>/dev/null || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "nginx not found: installing Debian's nginx-light package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq nginx-light >&2
  for candidate in /usr/sbin/nginx /usr/bin/nginx; do
    [ -x "$candidate" ] && { echo "$candidate"; exit 0; }
  done
fi
cat >&2 <<MSG
A local cluster (--brokers/--apis above 1) needs nginx as its load balancer and could not find it.
  Debian/Ubuntu:  sudo apt-get install -y nginx-light
Or name an nginx binary in SITUK_NGINX.
MSG
exit 3
