#!/usr/bin/env bash
# Runs every fault spec (Category=Fault and the longer Category=LongFault: the two-node takeover) and nothing else,
# with the same closing line as test.sh. They kill hosts and restart PostgreSQL: run nothing else on the machine meanwhile.
set -uo pipefail
cd "$(dirname "$0")/.."
FAULT_RUNS=1 exec bash scripts/test.sh "$@"
