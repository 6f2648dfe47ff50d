#!/usr/bin/env bash
# no_sql_from_strings.sh DAEMON_DIR — the build's guard against SQL built
# from strings (docs/security.md): no_sql_from_strings.pl must pass on the
# daemon's sources, and must fail on a copy of them with each planted
# example added — so the guard itself is shown to work.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: $0 DAEMON_DIR}
check="perl $here/no_sql_from_strings.pl"

$check "$src"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plant() {  # name, C code
  rm -rf "$tmp/d"
  cp -r "$src" "$tmp/d"
  printf '%s\n' "$2" >"$tmp/d/planted_$1.c"
  if $check "$tmp/d" >"$tmp/out" 2>&1; then
    echo "FAIL: the guard missed the planted example '$1':"; cat "$tmp/out"; exit 1
  fi
  grep -q "planted_$1.c" "$tmp/out" || { echo "FAIL: '$1' flagged elsewhere:"; cat "$tmp/out"; exit 1; }
  echo "ok: planted '$1' is caught"
}
plant snprintf_pqexec 'static void f(PGconn *pg, const char *e)
{
    char q[256];
    snprintf(q, sizeof q, "SELECT * FROM reports WHERE entity = '"'"'%s'"'"'", e);
    PQclear(PQexec(pg, q));
}'
plant pqsendquery 'static void f(PGconn *pg) { PQsendQuery(pg, "SELECT 1"); }'
plant asprintf_req_query 'static void f(gk_req *r, const char *e)
{
    char *q = NULL;
    if (asprintf(&q, "DELETE FROM reports WHERE entity = %s", e) > 0)
        gk_req_query(r, q, 0, NULL, next);
}'
plant strcat_params 'static void f(PGconn *pg, char *buf, const char *e)
{
    strcat(buf, " WHERE entity = ");
    strcat(buf, e);
    PQexecParams(pg, buf, 0, NULL, NULL, NULL, NULL, 0);
}'
plant variable_sql 'static void f(PGconn *pg, const char *user_text)
{
    PQexecParams(pg, user_text, 0, NULL, NULL, NULL, NULL, 0);
}'
plant through_wrapper 'static int run(PGconn *pg, const char *sql) { return PQexec(pg, sql) != NULL; }
static void f(PGconn *pg, char *q) { run(pg, q); }'
echo "no_sql_from_strings: the guard passes on $src and catches every planted example"
