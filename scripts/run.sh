#!/usr/bin/env bash
# Starts Backchannel's host on a local PostgreSQL (installed and started by postgres.sh), seeds demo data once,
# and prints the URL, the web client's URL, a token and a curl line to try. Ctrl+C stops it. Extra arguments go to the host.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/postgres.sh
bash scripts/nuget-cache.sh
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export Backchannel__Demo__Seed=${Backchannel__Demo__Seed:-true}
url=${BACKCHANNEL_URL:-http://127.0.0.1:5080}
echo "run.sh: the web client will be at $url/app/ once the host listens (sign in with a handle, e.g. ayu)"
exec dotnet run --project Backchannel.Host --no-launch-profile --urls "$url" "$@"
