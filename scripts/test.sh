#!/usr/bin/env bash
# Runs Backchannel's whole test suite on a local PostgreSQL (installed and started by postgres.sh) and ends with
# one line, `tests: N passed, N failed, N skipped`, counted from the runner's TRX results. Exits non-zero when a test
# failed or none ran.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/postgres.sh || exit 1

results=$(mktemp -d)
dotnet test Backchannel.sln --nologo --logger "trx;LogFileName=specs.trx" --results-directory "$results" "$@"
status=$?

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
rm -rf "$results"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if (( status != 0 || failed > 0 || passed == 0 )); then exit 1; fi
