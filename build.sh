#!/usr/bin/env bash
# Restores the local tools (Cake, smtp4dev) and runs the Cake build: ./build.sh --target=Test
# After a test run it prints the test summary ("N passed, N failed") as the very last line.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null || { echo "dotnet tool restore failed" >&2; exit 1; }
summary=artifacts/test-results/summary.txt
rm -f "$summary"
dotnet cake build.cake "$@"
status=$?
if [ -f "$summary" ]; then
  cat "$summary"
  grep -qE '^[0-9]+ passed, 0 failed' "$summary" || [ "$status" -ne 0 ] || status=1
fi
exit "$status"
