#!/usr/bin/env bash
# Runs every Backchannel benchmark, one after the other, on a local PostgreSQL (database backchannel_bench, or
# $BENCH_DB), and prints each one's figure. Quick mode (--quick) runs shorter rounds to check that they all work;
# figures for docs/benchmarks.md come from the full run. `writepath` runs only the write-path comparison (the product,
# its two peers and pgbench's ceiling, loaded by wrk; `writepath --quick` checks it in about two minutes). Anything
# after the mode goes to every benchmark (e.g. --seconds 20).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
quick=
if [[ ${1:-} == writepath ]]; then mode=writepath; shift; fi
if [[ ${1:-} == --quick ]]; then quick=1; shift; fi
[[ $mode == full && -n $quick ]] && mode=quick

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
# wrk, the write path's load generator (a process of its own), from Debian's packages.
if ! command -v wrk >/dev/null 2>&1; then
  echo "run.sh: installing wrk from Debian's packages..."
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk >/dev/null
fi

BENCH_DB=${BENCH_DB:-backchannel_bench}
BACKCHANNEL_DB_NAME=$BENCH_DB bash scripts/postgres.sh >/dev/null
bash scripts/nuget-cache.sh
# Loopback needs no TLS: both the host and pgbench talk to PostgreSQL in plain text, so the ratio compares like with like.
export ConnectionStrings__Backchannel=${ConnectionStrings__Backchannel:-"Host=127.0.0.1;Port=5432;Database=$BENCH_DB;Username=backchannel;Password=backchannel;Maximum Pool Size=100;SSL Mode=Disable"}
export PGSSLMODE=disable
# The bench builds the host and the two peers (bench/Backchannel.Bench.Floor, bench/Backchannel.Bench.EfCore) with it.
dotnet build bench/Backchannel.Bench -c Release -v q -nologo >/dev/null
# The product as it is published: its handler code generated ahead of time and compiled in (writepath runs it in
# Production, where it loads that code and compiles nothing; docs/benchmarks.md, "Memory").
bash scripts/codegen.sh
bench() { echo "== $*"; dotnet bench/Backchannel.Bench/bin/Release/net10.0/Backchannel.Bench.dll "$@" | grep --line-buffered -v '^host on'; }

quick_writepath=(--seconds 3 --rounds 1 --warm-up 3 --conversations 32 --lag-seconds 3 --lag-rounds 1 --listeners 8)
if [[ $mode == writepath ]]; then
  if [[ -n $quick ]]; then bench writepath "${quick_writepath[@]}" "$@"; else bench writepath "$@"; fi
  exit 0
fi

if [[ $mode == quick ]]; then
  bench throughput --seconds 3 --rounds 1 --conversations 32 "$@"
  bench lag --seconds 3 --conversations 32 --listeners 8 "$@"
  bench push --messages 20 --rounds 1 "$@"
  bench long-thread --messages 400 --window 100 "$@"
  bench scale --tiers 2000,10000 --reads 50 "$@"
  bench copy-rows --messages 20000 --rounds 1 "$@"
  bench hot-room --listeners 100 "$@"
  bench writepath "${quick_writepath[@]}" "$@"
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
# The same tiers with their history spread over 90 days, as a store's is after months: most push items past retention.
bench scale --history-days 90 "$@"
bench copy-rows "$@"
bench hot-room "$@"
bench writepath "$@"
