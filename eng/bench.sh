#!/usr/bin/env bash
# The benchmark matrix behind `./build.sh --target=Bench`, about 15 minutes on a quiet 2-core machine (floor; longer on a busy one):
#   1. BenchmarkDotNet (ShortRun) on the hot paths alone: registry, fan-out enqueue, frame serialisation;
#   2. the floor command: every "performance at the floor" goal (G1-G7) from 3 runs of each command behind it —
#      load at 10,000 devices against Situk, the bare Kestrel loop and SignalR; one-to-one publishes at 1,000/s to
#      1,000 devices against Situk and the bare Kestrel route; load at 19,600 (the broker's cap);
#      load on a fresh broker with 10,000 devices reconnecting at once; knee at 1,000 devices — rewriting the
#      `floor:goals` table of docs/benchmarks.md and each command's `floor-*` section, with its charts.
# Everything it starts stops by itself (each phase of each command has a hard deadline); it fails when a delivery
# was lost or a command could not run, never on a missed goal.
# Usage: eng/bench.sh [floor args], e.g. `eng/bench.sh --quick` (1 run each at smaller sizes, ~5 min: not the
# reportable figures; the table says so).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release Situk.Bench
# The broker as it runs for real: published ReadyToRun (Situk.Broker.csproj), not the bench's JIT-only copy;
# floor runs it by default from artifacts/broker.
dotnet publish -c Release -r "$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)" --self-contained false -o artifacts/broker Situk.Broker
dotnet run -c Release --no-build --project Situk.Bench -- --filter '*HotPaths*' '*Serialization*' --job short
dotnet run -c Release --no-build --project Situk.Bench -- floor --report docs/benchmarks.md "$@"
