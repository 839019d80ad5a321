#!/usr/bin/env bash
# Prints the path of the nats-server the cluster tests start, installing Debian's nats-server
# package as root when it is missing. The tests start their own server on free loopback ports;
# nothing here starts one. Nothing else needs NATS: without Situk:Nats:Url the system runs without it.
set -euo pipefail
for candidate in "${SITUK_NATS_SERVER:-}" /usr/sbin/nats-server /usr/bin/nats-server "$(command -v nats-server 2>/dev/null || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "nats-server not found: installing Debian's nats-server package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq nats-server >&2
  for candidate in /usr/sbin/nats-server /usr/bin/nats-server; do
    [ -x "$candidate" ] && { echo "$candidate"; exit 0; }
  done
fi
cat >&2 <<MSG
The cluster tests need nats-server and could not find it.
  Debian/Ubuntu:  sudo apt-get install -y nats-server
Or name a nats-server binary in SITUK_NATS_SERVER.
MSG
exit 3
