#!/bin/sh
# Patroni callback (on_start, on_stop, on_role_change): keeps pgbouncer pointed at the cluster's primary,
# and its replica entry (report reads, DATABASE_REPLICA_URL) at a running replica or, failing one, the primary.
# Patroni runs it as  <script> <action> <role> <cluster name>  on the node whose state changed.
#
#   became primary (master/primary/promoted)  entry PGBOUNCER_DB -> this node; the replica entry too if it
#                                               named this node (no replica left: reports read the primary)
#   started or demoted as replica             entry PGBOUNCER_REPLICA_DB -> this node
#   replica stopping (on_stop)                replica entry back to the primary
#
# then writes PGBOUNCER_DATABASES (the [databases] file pgbouncer.ini %includes) whole, under a lock, and asks
# pgbouncer to RELOAD (a changed entry drops that database's server connections once released) and RECONNECT
# (close the old ones now). Clients stay connected to pgbouncer: the app keeps its connections.
#
# Settings, from Patroni's environment (systemd: an EnvironmentFile of the patroni unit; docs/deploy.md):
#   PGBOUNCER_DATABASES   the file pgbouncer.ini includes (%include), writable by Patroni's user
#   PGBOUNCER_ADMIN       libpq conninfo of pgbouncer's admin console, e.g. "host=10.0.0.5 port=6432
#                         dbname=pgbouncer user=pgbouncer" (that user in admin_users; a password in ~/.pgpass)
#   NODE_HOST NODE_PORT   this node's PostgreSQL as pgbouncer reaches it
#   PGBOUNCER_DB          default tuangou;  PGBOUNCER_REPLICA_DB default tuangou_replica (empty: no replica entry)
#   DBNAME                the database on the nodes, default tuangou;  PSQL default psql
set -eu
action=${1:-} role=${2:-}
: "${PGBOUNCER_DATABASES:?}" "${PGBOUNCER_ADMIN:?}" "${NODE_HOST:?}" "${NODE_PORT:?}"
db=${PGBOUNCER_DB:-tuangou}
replica_db=${PGBOUNCER_REPLICA_DB-tuangou_replica}
me="host=$NODE_HOST port=$NODE_PORT dbname=${DBNAME:-tuangou}"

exec 9>"$PGBOUNCER_DATABASES.lock"
flock -w 10 9
primary=$(cat "$PGBOUNCER_DATABASES.primary" 2>/dev/null || echo "$me")
replica=$(cat "$PGBOUNCER_DATABASES.replica" 2>/dev/null || echo "$primary")

case "$action:$role" in
    on_stop:*) if [ "$replica" = "$me" ]; then replica=$primary; fi ;;
    # A replica entry that named this node now names the primary, which is right: reads fall back to it.
    *:master | *:primary | *:promoted) primary=$me ;;
    *:replica | *:standby_leader | *:sync_standby) if [ "$primary" != "$me" ]; then replica=$me; fi ;;
    *) exit 0 ;;
esac

printf '%s\n' "$primary" >"$PGBOUNCER_DATABASES.primary"
printf '%s\n' "$replica" >"$PGBOUNCER_DATABASES.replica"
{
    echo "[databases]"
    echo "$db = $primary"
    [ -z "$replica_db" ] || echo "$replica_db = $replica"
} >"$PGBOUNCER_DATABASES.new"
mv "$PGBOUNCER_DATABASES.new" "$PGBOUNCER_DATABASES"
echo "$(date -u +%FT%T.%3NZ) $action $role: $db -> $primary; ${replica_db:-no replica entry} -> $replica" >&2

# pgbouncer may be down (it reads the file when it starts): not this callback's failure.
"${PSQL:-psql}" "$PGBOUNCER_ADMIN" -Xqc RELOAD && "${PSQL:-psql}" "$PGBOUNCER_ADMIN" -Xqc RECONNECT ||
    echo "pgbouncer did not take RELOAD/RECONNECT; it reads $PGBOUNCER_DATABASES when it starts" >&2
