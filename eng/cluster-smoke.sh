#!/usr/bin/env bash
# Checks a running local cluster (./build.sh --target=Up --brokers=N --apis=M) end to end, through its
# load balancers: the device page answers 200, the admin signs in and gets the load balancer's socket
# URL, DEVICES devices of the admin (the real .NET client, eng/cluster-smoke/Listen.cs) connect through
# it and spread over the brokers, an admin notification sent with curl reaches every one of them over
# its socket. Reads the same SITUK_DEV_*_PORT variables as Up and the secrets in .data/dev-secrets.env.
# Usage: eng/cluster-smoke.sh [devices, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-3}
api="http://localhost:${SITUK_DEV_API_PORT:-5000}"
lb="http://localhost:${SITUK_DEV_DEVICE_PORT:-5080}"
internal=${SITUK_DEV_INTERNAL_PORT:-5081}
set -a; . ./.data/dev-secrets.env; set +a
work=$(mktemp -d)
listener=
trap '[ -z "$listener" ] || kill "$listener" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== device page through the load balancer: GET $lb/"
curl -sS -o /dev/null -w '%{http_code}\n' "$lb/"
curl -sS "$lb/config.json"; echo

echo "== sign in through the API load balancer: POST $api/api/v1/auth/token"
curl -sS -X POST "$api/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" > "$work/token.json"
jq -c '{userId, role, brokerUrl}' "$work/token.json"
token=$(jq -r .accessToken "$work/token.json")
user=$(jq -r .userId "$work/token.json")
broker_url=$(jq -r .brokerUrl "$work/token.json")

title="cluster smoke $(date -u +%H:%M:%S) $RANDOM"
echo "== $devices devices connect to $broker_url"
dotnet run eng/cluster-smoke/Listen.cs -- "$broker_url" "$token" "$devices" "$title" 60 > "$work/listen.log" 2>&1 &
listener=$!
for _ in $(seq 1 240); do
  grep -q '^ready$' "$work/listen.log" && break
  kill -0 "$listener" 2>/dev/null || { cat "$work/listen.log"; exit 1; }
  sleep 0.5
done
grep -v '^ready$' "$work/listen.log"

echo "== sessions per broker (GET /admin/stats on each internal listener)"
for port in $(seq $((internal + 100)) 100 $((internal + 900))); do
  stats=$(curl -sS -m 2 -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$port/admin/stats" 2>/dev/null) || break
  echo "broker on :$port  $(jq -c '{connections, users}' <<<"$stats")"
done

echo "== send with curl: POST $api/api/v1/notifications"
curl -sS -w ' %{http_code}\n' -X POST "$api/api/v1/notifications" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' \
  -d "{\"to\":{\"userIds\":[$user]},\"title\":\"$title\",\"body\":\"Delivered through NATS and the load balancer.\"}"

status=0
wait "$listener" || status=$?
listener=
sed -n '/^ready$/,$p' "$work/listen.log" | grep -v '^ready$'
[ "$status" = 0 ] && echo "== every device got it over its socket" || echo "== FAILED (exit $status)"
exit "$status"
