#!/usr/bin/env bash
# Publishes Backchannel.Host for production to artifacts/host (or the folder given) with its Wolverine handler code
# generated ahead of time from the same sources (scripts/codegen.sh): in Production it loads that code and compiles
# nothing at start (docs/operations.md#publish).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-artifacts/host}
bash scripts/nuget-cache.sh
bash scripts/codegen.sh
dotnet publish Backchannel.Host -c Release --no-build -nologo -v q -p:BackchannelPregenerated=true -o "$out" >/dev/null
echo "publish.sh: $out"
