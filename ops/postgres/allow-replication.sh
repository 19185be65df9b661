#!/bin/sh
# docker-entrypoint-initdb.d: runs once, when the primary's data directory is first made.
# Lets a standby (the "scale" profile's db-replica) stream from this server with the
# app's password. An existing data directory: see docs/operations.md, "Read replica".
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
