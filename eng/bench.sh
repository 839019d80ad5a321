#!/usr/bin/env bash
# The default benchmark matrix, well under ten minutes on a 2-core machine:
#   1. BenchmarkDotNet (ShortRun) on the hot paths alone: registry, fan-out enqueue, frame serialisation;
#   2. the load command against Situk's broker and the SignalR baseline, each a child process on loopback,
#      rewriting the `default` section of docs/benchmarks.md and docs/benchmarks/default-*.png;
#   3. the e2e command: PostgreSQL, broker and API as children, 1,000 devices, REST commit → device and
#      one-to-one publishes at 1,000/s, rewriting the `e2e` section of docs/benchmarks.md.
# Everything it starts stops by itself (each load phase has a hard deadline). Usage: eng/bench.sh [extra load args]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release Situk.Bench
# The broker as it runs for real: published ReadyToRun (Situk.Broker.csproj), not the bench's JIT-only copy.
dotnet publish -c Release -r "$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)" --self-contained false -o artifacts/broker Situk.Broker
dotnet run -c Release --no-build --project Situk.Bench -- --filter '*HotPaths*' '*Serialization*' --job short
dotnet run -c Release --no-build --project Situk.Bench -- load --target both --devices 2000 --pattern repeat --count 12 \
  --payload 64,1024,16384,65536 --bandwidth-kbit 0,512,1024 --classes web:50,android:30,ios:20 --duration 120s \
  --broker-dll artifacts/broker/Situk.Broker.dll --report docs/benchmarks.md --label default "$@"
dotnet run -c Release --no-build --project Situk.Bench -- e2e --devices 1000 --rest 2000 --rest-rate 200 \
  --direct 10000 --direct-rate 1000 --report docs/benchmarks.md --label e2e
