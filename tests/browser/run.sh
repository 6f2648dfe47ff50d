#!/usr/bin/env bash
# Runs the console's browser tests: a private PostgreSQL (scripts/pg-local)
# in a fresh temporary directory, a real gongkaid on a port the system picks
# (--port=0, read back from its log), the fixture region registry, four
# console users and one API token, then node's test runner on
# console.test.mjs (Debian's chromium driven by playwright-core).  Usage: run.sh GONGKAID_BINARY
# (GK_SCREENSHOTS=DIR keeps the screenshots there: $PWD/docs refreshes the README's).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$1
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "playwright-core missing: run scripts/npm-browser-tests first" >&2
  exit 1
fi
var=$(mktemp -d /tmp/gk-browser.XXXXXX)
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  "$root/scripts/pg-local" stop "$var" >/dev/null 2>&1 || true
  rm -rf "$var"
}
trap cleanup EXIT
"$root/scripts/pg-local" start "$var" >/dev/null
export GK_DATABASE
GK_DATABASE=$("$root/scripts/pg-local" conninfo "$var")
"$bin" migrate >/dev/null 2>&1
"$bin" regions import "$root/tests/integration/fixtures/regions.csv" >/dev/null 2>&1
# Console users, made as an administrator would (`gongkaid user add`, the
# password on stdin); their passwords reach node through a file readable by
# us only, never through argv.  Cheap Argon2id limits for the test (the
# daemon and the CLI read the same variables).
export GK_PWHASH_MEM_KIB=8192 GK_PWHASH_OPS=1
(
  umask 077
  : >"$var/users"
  add_user() {  # name region role
    local pw
    pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$pw" | "$bin" user add "$1" --region "$2" --role "$3" >/dev/null 2>&1
    echo "$1=$pw" >>"$var/users"
  }
  add_user office-viewer 350481 viewer
  add_user gongchuan-clerk 350481101 submitter
  add_user expiring-viewer 350481 viewer
  add_user city-viewer 3504 viewer
  # One API token, for a test's direct POST (no browser, so no session):
  # 安砂镇's report sent as the client tool would.  Node reads it from this
  # file (0600, like the passwords), never from argv.
  tok=$("$bin" token create --region 350481102 --role submitter --note browser-api 2>/dev/null)
  [ -n "$tok" ] || { echo "gongkaid token create gave no token" >&2; exit 1; }
  echo "GK_T_TOWN2=$tok" >"$var/tokens"
)
"$bin" --listen-address=127.0.0.1 --port=0 2>"$var/daemon.log" &
daemon_pid=$!
port=""
# up to 30 s: the daemon migrates the database first, slow on a busy 2-core CI
for _ in $(seq 1 600); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$var/daemon.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$var/daemon.log" >&2; exit 1; }
  sleep 0.05
done
[ -n "$port" ] || { echo "gongkaid did not log its port" >&2; cat "$var/daemon.log" >&2; exit 1; }
export GK_URL="http://127.0.0.1:$port" GK_USERS="$var/users" GK_TOKENS="$var/tokens" GK_ROOT="$root" GK_TMP="$var"
status=0
node --test --test-concurrency=1 "$here/console.test.mjs" || status=$?
# Stop the daemon here, not in cleanup, so that a sanitizer report written at
# exit (LeakSanitizer) lands in the log before the log is read.
kill -TERM "$daemon_pid" 2>/dev/null || true
wait "$daemon_pid" 2>/dev/null || status=1
daemon_pid=""
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$var/daemon.log"; then
  echo "browser_console: gongkaid reported a sanitizer error:" >&2
  status=1
fi
[ "$status" -eq 0 ] || tail -n 50 "$var/daemon.log" >&2
exit "$status"
