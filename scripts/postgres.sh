#!/usr/bin/env bash
# Makes a local PostgreSQL available for Backchannel, idempotently: installs it from Debian's packages when absent,
# starts the cluster, creates the role and the database (and the test database). Safe to run any number of times.
set -euo pipefail

DB_USER=${BACKCHANNEL_DB_USER:-backchannel}
DB_PASSWORD=${BACKCHANNEL_DB_PASSWORD:-backchannel}
DATABASES=("${BACKCHANNEL_DB_NAME:-backchannel}" "${BACKCHANNEL_TEST_DB_NAME:-backchannel_tests}")

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "postgres.sh: installing PostgreSQL from Debian's packages..."
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  as_root pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $4}' | grep -q online; then
  as_root pg_ctlcluster "$version" main start
fi

psql_admin() { as_root su postgres -c "psql -v ON_ERROR_STOP=1 -qtAX $*"; }
wait_for_server() { for _ in $(seq 1 30); do psql_admin "-c 'select 1'" >/dev/null 2>&1 && return; sleep 1; done; }
wait_for_server

# Debian's default of 100 connections is less than a test run can hold (each host's pool, its daemon, a second
# host for the multi-node and production specs): measured, a burst of 180 requests ran the server out of slots.
MAX_CONNECTIONS=${BACKCHANNEL_DB_MAX_CONNECTIONS:-300}
if (( $(psql_admin "-c 'show max_connections'") < MAX_CONNECTIONS )); then
  psql_admin "-c 'alter system set max_connections = $MAX_CONNECTIONS'"
  as_root pg_ctlcluster "$version" main restart
  wait_for_server
fi

if [[ -z $(psql_admin "-c \"select 1 from pg_roles where rolname = '$DB_USER'\"") ]]; then
  psql_admin "-c \"create role $DB_USER login createdb password '$DB_PASSWORD'\""
fi
for db in "${DATABASES[@]}"; do
  if [[ -z $(psql_admin "-c \"select 1 from pg_database where datname = '$db'\"") ]]; then
    psql_admin "-c \"create database $db owner $DB_USER\""
  fi
done
echo "postgres.sh: PostgreSQL $version is up on 127.0.0.1:5432 with databases ${DATABASES[*]} (role $DB_USER)"
