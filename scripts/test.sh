#!/usr/bin/env bash
# Runs Backchannel's whole test suite on a local PostgreSQL (installed and started by postgres.sh) and ends with
# one line, `tests: N passed, N failed, N skipped`, counted from the runner's TRX results plus the embedding sample
# (scripts/sample.sh: the packed packages in a worker app) and the pre-generated host (scripts/codegen.sh --check),
# which count as one test each. Exits non-zero when a test failed or none ran. Two runs, one after the other: the
# specs, then the fault specs (Category=Fault), which restart PostgreSQL and kill hosts, so nothing else may run
# beside them. The longer fault specs (Category=LongFault) run
# only with scripts/faults.sh, which sets FAULT_RUNS to run every fault spec and nothing else.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/postgres.sh || exit 1
bash scripts/chromium.sh || exit 1 # the browser specs' headless Chromium (Category=Browser, run with the specs)
bash scripts/nuget-cache.sh || exit 1
# The OpenAPI specs lint the served document and generate a client from it with these npm tools.
bash scripts/openapi-tools.sh || exit 1

results=$(mktemp -d)
status=0
sample_passed=0 sample_failed=0
run() { # name filter [args]
  local name=$1 filter=$2; shift 2
  echo "test.sh: ${name} (${filter})"
  dotnet test Backchannel.sln --nologo --filter "$filter" --logger "trx;LogFileName=${name}.trx" --results-directory "$results" "$@" || status=1
}
if [[ -n ${FAULT_RUNS:-} ]]; then
  run faults "Category=Fault|Category=LongFault" "$@"
else
  run specs "Category!=Fault&Category!=LongFault" "$@"
  # The embedding sample, built from the packed packages: one test in the closing line, passed or failed.
  echo "test.sh: sample (scripts/sample.sh)"
  if bash scripts/sample.sh; then sample_passed=1; else sample_failed=1; status=1; fi
  # The host as it is published: its handler code generated ahead of time, run in Production with no Roslyn (one test).
  echo "test.sh: pre-generated host (scripts/codegen.sh --check)"
  if bash scripts/codegen.sh --check; then sample_passed=$((sample_passed + 1)); else sample_failed=$((sample_failed + 1)); status=1; fi
  run faults "Category=Fault" "$@"
fi

summary=$(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(f"{sys.argv[1]}/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0)) + int(counters.get("inconclusive", 0))
print(f"{passed} {failed} {skipped}")
PY
)
read -r passed failed skipped <<<"${summary:-0 0 0}"
passed=$((passed + sample_passed)) failed=$((failed + sample_failed))
rm -rf "$results"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if (( status != 0 || failed > 0 || passed == 0 )); then exit 1; fi
