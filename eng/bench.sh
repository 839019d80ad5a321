#!/usr/bin/env bash
# The default benchmark matrix, well under ten minutes on a 2-core machine:
#   1. BenchmarkDotNet (ShortRun) on the hot paths alone: registry, fan-out enqueue, frame serialisation;
#   2. the load command against Situk's broker and the SignalR baseline, each a child process on loopback,
#      rewriting the `default` section of docs/benchmarks.md and docs/benchmarks/default-*.png.
# Everything it starts stops by itself (each load phase has a hard deadline). Usage: eng/bench.sh [extra load args]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release Situk.Bench
dotnet run -c Release --no-build --project Situk.Bench -- --filter '*HotPaths*' '*Serialization*' --job short
dotnet run -c Release --no-build --project Situk.Bench -- load --target both --devices 2000 --pattern repeat --count 12 \
  --payload 64,1024,16384,65536 --bandwidth-kbit 0,512,1024 --classes web:50,android:30,ios:20 --duration 120s \
  --report docs/benchmarks.md --label default "$@"
