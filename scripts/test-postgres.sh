#!/usr/bin/env bash
# Make sure the machine's PostgreSQL is running and has a test database; print its URL.
# Exits non-zero (printing nothing) when no PostgreSQL can be had.
set -u
HOST=${PGHOST_TEST:-127.0.0.1}
PORT=${PGPORT_TEST:-5432}
DB=${PGDATABASE_TEST:-ecombridge_test}

ready() { pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; }

if ! ready && command -v pg_ctlcluster >/dev/null 2>&1; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
        pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
    done
    for _ in $(seq 1 30); do ready && break; sleep 1; done
fi
ready || exit 1
psql -h "$HOST" -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" 2>/dev/null | grep -q 1 \
    || psql -h "$HOST" -p "$PORT" -U postgres -qc "CREATE DATABASE \"$DB\"" >/dev/null 2>&1 || exit 1
echo "postgresql://postgres@$HOST:$PORT/$DB"
