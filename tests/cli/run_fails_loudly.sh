#!/usr/bin/env bash
# Regression test for issue 13 item 6: ./scripts/run used to need the npm
# registry for the region registry and, when a step failed, to exit with no
# word of what failed.  Here npm is a stand-in that records being called and
# fails as an offline machine would, and the registry file is one that does
# not exist: the run must not call npm, must stop non-zero naming the step,
# the command and what to do (in Chinese), and must stop its PostgreSQL.
# Usage: run_fails_loudly.sh GONGKAID
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
gongkaid=$1
tmp=$(mktemp -d /tmp/gk-run-test.XXXXXX)
trap '"$root/scripts/pg-local" stop "$tmp/var" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
cat >"$tmp/bin/npm" <<EOT
#!/bin/sh
touch "$tmp/npm-called"
echo "npm ERR! network: getaddrinfo ENOTFOUND registry.npmjs.org" >&2
exit 1
EOT
chmod +x "$tmp/bin/npm"
fail() { echo "run_fails_loudly: $*" >&2; sed 's/^/  stderr: /' "$tmp/err" >&2 || true; exit 1; }

rc=0
PATH="$tmp/bin:$PATH" GK_VAR="$tmp/var" GK_GONGKAID="$gongkaid" \
  GK_REGIONS_FILE="$tmp/no-such-registry.csv" \
  timeout 300 bash "$root/scripts/run" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
[ "$rc" -ne 0 ] || fail "scripts/run exited 0 with a missing registry file"
[ "$rc" -ne 124 ] || fail "scripts/run did not stop within 300 s"
[ ! -e "$tmp/npm-called" ] || fail "scripts/run called npm"
grep -q '失败：步骤“region registry' "$tmp/err" || fail "no message naming the failed step"
grep -q '退出码' "$tmp/err" || fail "no exit code in the message"
grep -q '怎么办：' "$tmp/err" || fail "no advice on what to do"
grep -q 'no-such-registry.csv' "$tmp/err" || fail "the message does not name the missing file"
if "$root/scripts/pg-local" status "$tmp/var" >/dev/null 2>&1; then
  fail "PostgreSQL still running after the failed run"
fi
echo "run_fails_loudly: ok (exit $rc, step named, npm not called, PostgreSQL stopped)"
