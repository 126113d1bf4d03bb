#!/usr/bin/env bash
# Builds Backchannel.Host in Release with Wolverine's handler code generated ahead of time, from this very build: a
# plain build, then `codegen write` (it composes the host, writes every handler's and endpoint's code to
# Backchannel.Host/Internal/Generated and stops; no database needed), then the build again with that code compiled in
# (-p:BackchannelPregenerated=true), then the folder is removed so that no later build can take a stale copy. Outside
# Development such a build loads only that code (TypeLoadMode.Static) and never compiles with Roslyn
# (Backchannel.Host/Operations/CodeLoading.cs). Used by scripts/publish.sh and bench/run.sh.
#
# --check: then starts that build in Production against the test database (BACKCHANNEL_TEST_CONNECTION, a schema of its
# own, dropped at the end), follows, starts a conversation, sends a message and reads the inbox over HTTP, and fails
# unless each answers as it should and no Roslyn assembly (Microsoft.CodeAnalysis) was loaded into the process.
set -euo pipefail
cd "$(dirname "$0")/.."

generated=Backchannel.Host/Internal/Generated
rm -rf "$generated"
dotnet build Backchannel.Host -c Release -nologo -v q >/dev/null
# From the project's folder: codegen write writes under the content root, the current directory.
(cd Backchannel.Host && ASPNETCORE_ENVIRONMENT=Production dotnet bin/Release/net10.0/Backchannel.Host.dll codegen write >/dev/null)
[[ -f $generated/WolverineHandlers/GeneratedHandlerRegistry.cs ]] || { echo "codegen.sh: codegen write wrote no handler registry" >&2; exit 1; }
dotnet build Backchannel.Host -c Release -nologo -v q -p:BackchannelPregenerated=true >/dev/null
rm -rf "$generated"; rmdir Backchannel.Host/Internal 2>/dev/null || true
echo "codegen.sh: Backchannel.Host/bin/Release/net10.0 carries its pre-generated handler code"
[[ ${1:-} == --check ]] || exit 0

bin=Backchannel.Host/bin/Release/net10.0
connection=${BACKCHANNEL_TEST_CONNECTION:-Host=127.0.0.1;Port=5432;Database=backchannel_tests;Username=backchannel;Password=backchannel}
setting() { tr ';' '\n' <<<"$connection" | sed -n "s/^$1=//Ip" | head -1; }
schema=codegen_check_$(date +%s)_$$
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__Backchannel="$connection" Backchannel__Schema=$schema \
  Backchannel__Auth__SigningKey=$(head -c 48 /dev/urandom | base64 -w0)
log=$(mktemp)
# As a deployment starts it: no arguments, the address from the environment (the daemon runs, Solo).
(cd "$bin" && ASPNETCORE_URLS="http://127.0.0.1:$port" exec dotnet Backchannel.Host.dll) >"$log" 2>&1 &
host=$!
finish() {
  kill -TERM "$host" 2>/dev/null && wait "$host" 2>/dev/null || true
  PGPASSWORD=$(setting Password) psql -q -h "$(setting Host)" -p "$(setting Port)" -U "$(setting Username)" -d "$(setting Database)" \
    -c "drop schema if exists $schema cascade" >/dev/null 2>&1 || true
  rm -f "$log"
}
trap finish EXIT
fail() { echo "codegen.sh --check: $*" >&2; sed 's/^/  host: /' "$log" | tail -40 >&2; exit 1; }

for _ in $(seq 1 180); do
  curl -fs "http://127.0.0.1:$port/health/live" >/dev/null && break
  kill -0 "$host" 2>/dev/null || fail "the host exited before it answered"
  sleep 1
done
token() { (cd "$bin" && dotnet Backchannel.Host.dll token "$1" | tail -1); }
ann=$(token ann) ben=$(token ben)
call() { # token method path [body] -> "status body"
  curl -s -o /dev/stdout -w ' %{http_code}' -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    ${4:+--data "$4"} "http://127.0.0.1:$port$3"
}
expect() { # status answer
  [[ ${2##* } =~ ^$1$ ]] || fail "expected $1, got: $2"
}
expect "20[0-9]" "$(call "$ben" POST /follows/ann)"
started=$(call "$ann" POST /conversations '{"to":["ben"],"text":"hello"}')
expect 201 "$started"
conversation=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1].rsplit(" ",1)[0])["conversationId"])' "$started")
expect 201 "$(call "$ann" POST "/conversations/$conversation/messages" '{"text":"compiled ahead of time","messageId":"codegen-check-1"}')"
inbox=$(call "$ben" GET /inbox)
expect 200 "$inbox"
[[ $inbox == *"compiled ahead of time"* ]] || fail "the inbox does not show the message: $inbox"
if grep -q Microsoft.CodeAnalysis "/proc/$host/maps"; then
  fail "Roslyn (Microsoft.CodeAnalysis) was loaded: some handler code was compiled at run time"
fi
echo "codegen.sh --check: the pre-generated build answered in Production and loaded no Roslyn"
