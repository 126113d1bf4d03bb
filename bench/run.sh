#!/usr/bin/env bash
# Runs every Backchannel benchmark, one after the other, on a local PostgreSQL (database backchannel_bench), and prints
# each one's figure. Quick mode (--quick) runs shorter rounds to check that they all work; figures for
# docs/benchmarks.md come from the full run. Anything after the mode goes to every benchmark (e.g. --seconds 20).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
if [[ ${1:-} == --quick ]]; then mode=quick; shift; fi

BACKCHANNEL_DB_NAME=backchannel_bench bash scripts/postgres.sh >/dev/null
bash scripts/nuget-cache.sh
# Loopback needs no TLS: both the host and pgbench talk to PostgreSQL in plain text, so the ratio compares like with like.
export ConnectionStrings__Backchannel=${ConnectionStrings__Backchannel:-"Host=127.0.0.1;Port=5432;Database=backchannel_bench;Username=backchannel;Password=backchannel;Maximum Pool Size=100;SSL Mode=Disable"}
export PGSSLMODE=disable
dotnet build bench/Backchannel.Bench -c Release -v q -nologo >/dev/null
bench() { echo "== $*"; dotnet bench/Backchannel.Bench/bin/Release/net10.0/Backchannel.Bench.dll "$@" | grep --line-buffered -v '^host on'; }

if [[ $mode == quick ]]; then
  bench throughput --seconds 3 --rounds 1 --conversations 32 "$@"
  bench lag --seconds 3 --conversations 32 --listeners 8 "$@"
  bench push --messages 20 --rounds 1 "$@"
  bench long-thread --messages 400 --window 100 "$@"
  bench scale --tiers 2000,10000 --reads 50 "$@"
  bench hot-room --listeners 100 "$@"
  exit 0
fi

# Throughput: the host's choice first, then each alternative (Marten's append modes; inbox and thread views async).
bench throughput "$@"
bench throughput --append Rich "$@"
bench throughput --append Quick "$@"
bench throughput --views async "$@"
bench lag "$@"
bench push "$@"
bench long-thread "$@"
bench scale "$@"
bench hot-room "$@"
