#!/usr/bin/env bash
# Validates docker/nginx.conf without Docker: runs the real config (upstream
# names and paths rewritten to loopback and a temporary directory) with a
# local nginx in front of two local gongkaid on one private PostgreSQL, then
# checks TLS, balancing over both replicas, the body limit's JSON 413, a
# submission through the proxy, /metrics refused through the proxy, the
# port-80 server (ACME webroot, /api/ refused, the rest redirected),
# failover when one replica dies, and the JSON 503 when both are gone.
#
#   docker/check-nginx.sh [path/to/gongkaid]     (default build/release/daemon/gongkaid)
#
# Also run by ctest (integration.docker_nginx_conf) so the file stays valid.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=${1:-$root/build/release/daemon/gongkaid}
[ -x "$bin" ] || { echo "no gongkaid at $bin (build it, or pass its path)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/gk-nginx-XXXXXX)
# Ports without races (issue 13, item 5): each gongkaid binds port 0 and
# names the port it got in its log; nginx cannot, so it gets candidate
# ports (a port that refuses a connection is likely free) and is started
# again on new ones when a bind fails with "Address already in use".
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  return 1
}
pids=()
cleanup() {
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg-local stop "$tmp/var" >/dev/null 2>&1 || true
  [ -n "${GK_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

scripts/pg-local start "$tmp/var" >/dev/null
export GK_DATABASE
GK_DATABASE=$(scripts/pg-local conninfo "$tmp/var")
"$bin" migrate 2>/dev/null
"$bin" regions import tests/integration/fixtures/regions.csv 2>/dev/null
sub=$("$bin" token create --region 350481101 --role submitter 2>/dev/null)
view=$("$bin" token create --region 350481 --role viewer 2>/dev/null)

"$bin" --port="${GK_PORT_A:-0}" 2>"$tmp/a.log" & pids+=($!); pid_a=$!
"$bin" --port="${GK_PORT_B:-0}" 2>"$tmp/b.log" & pids+=($!); pid_b=$!
# The port each daemon bound, from its "listening on http://127.0.0.1:N" line.
bound_port() {
  local log=$1 p
  for _ in $(seq 300); do
    p=$(sed -n 's#.*listening on http://[^ ]*:\([0-9][0-9]*\)$#\1#p' "$log" | head -1)
    [ -n "$p" ] && { echo "$p"; return; }
    sleep 0.1
  done
  fail "gongkaid did not say which port it listens on: $(tail -3 "$log")"
}
pa=$(bound_port "$tmp/a.log") pb=$(bound_port "$tmp/b.log")
for port in "$pa" "$pb"; do
  for i in $(seq 300); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    [ "$i" = 300 ] && fail "gongkaid on $port not healthy: $(tail -3 "$tmp"/*.log)"
    sleep 0.1
  done
done

mkdir -p "$tmp/certs" "$tmp/logs" "$tmp/acme/.well-known/acme-challenge"
echo gk-acme-token.check >"$tmp/acme/.well-known/acme-challenge/gk-acme-token"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
  -keyout "$tmp/certs/privkey.pem" -out "$tmp/certs/fullchain.pem" 2>/dev/null
started=
for attempt in $(seq 10); do
  pn=${GK_PORT_NGINX:-$(free_port)} ph=${GK_PORT_NGINX_HTTP:-$(free_port)}
  sed -e "s/gongkaid-a:8080/127.0.0.1:$pa/; s/gongkaid-b:8080/127.0.0.1:$pb/" \
      -e "s#/etc/nginx/certs#$tmp/certs#" -e "s#/var/www/acme#$tmp/acme#" \
      -e "s/listen 443 ssl;/listen 127.0.0.1:$pn ssl;/" -e "s/listen 80;/listen 127.0.0.1:$ph;/" \
      -e '/listen \[::\]:443 ssl;/d' -e '/listen \[::\]:80;/d' docker/nginx.conf >"$tmp/gongkai.conf"
  grep -q "listen 127.0.0.1:$ph;" "$tmp/gongkai.conf" && grep -q "root $tmp/acme;" "$tmp/gongkai.conf" ||
    fail "port-80 server or webroot not found in docker/nginx.conf"
  cat >"$tmp/nginx.conf" <<EOT
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log $tmp/logs/access.log;
    client_body_temp_path $tmp/logs;
    proxy_temp_path $tmp/logs;
    include $tmp/gongkai.conf;
}
EOT
  nginx -t -q -p "$tmp" -c "$tmp/nginx.conf" || fail "nginx -t"
  ok "nginx -t accepts docker/nginx.conf"
  if nginx -p "$tmp" -c "$tmp/nginx.conf" 2>"$tmp/nginx.start"; then started=1; break; fi
  grep -q 'Address already in use' "$tmp/nginx.start" "$tmp/logs/error.log" 2>/dev/null ||
    fail "nginx did not start: $(cat "$tmp/nginx.start")"
  echo "nginx: port $pn or $ph taken meanwhile (attempt $attempt), trying others" >&2
  : >"$tmp/logs/error.log"
done
[ -n "$started" ] || fail "nginx: no free port pair in 10 attempts"
u=https://localhost:$pn
c() { curl -sS --cacert "$tmp/certs/fullchain.pem" --resolve "localhost:$pn:127.0.0.1" "$@"; }
for _ in $(seq 100); do c -o /dev/null "$u/healthz" 2>/dev/null && break; sleep 0.1; done

[ "$(c "$u/healthz")" = '{"status":"ok","database":"up"}' ] || fail "healthz over TLS"
ok "GET /healthz over TLS (certificate verified)"

for _ in $(seq 20); do c -o /dev/null -f -H "Authorization: Bearer $view" "$u/api/v1/regions/350481"; done
na=$(grep -c 'GET /api/v1/regions/350481 200' "$tmp/a.log" || true)
nb=$(grep -c 'GET /api/v1/regions/350481 200' "$tmp/b.log" || true)
[ "$na" -gt 0 ] && [ "$nb" -gt 0 ] && [ $((na + nb)) -eq 20 ] || fail "balancing: A $na, B $nb"
ok "20 reads balanced over both replicas (A $na, B $nb)"

head -c 2000000 /dev/zero | tr '\0' ' ' >"$tmp/big.json"
out=$(c -w ' %{http_code}' -H "Authorization: Bearer $sub" -H 'Content-Type: application/json' \
      --data-binary @"$tmp/big.json" "$u/api/v1/reports")
case $out in *'"code":"body_too_large"'*' 413') ;; *) fail "413: $out" ;; esac
ok "2 MB body: 413 body_too_large as JSON from nginx"

code=$(c -o "$tmp/submit.json" -w '%{http_code}' -H "Authorization: Bearer $sub" \
       -H 'Content-Type: application/json' --data-binary @tests/data/sample-350481101-2020.json "$u/api/v1/reports")
[ "$code" = 201 ] || fail "submit through nginx: $code $(cat "$tmp/submit.json")"
ok "submission through nginx: 201"

out=$(c -w ' %{http_code}' "$u/metrics")
case $out in *'"code":"forbidden"'*' 403') ;; *) fail "/metrics through nginx: $out" ;; esac
metrics=$(curl -fsS "http://127.0.0.1:$pa/metrics") && grep -q '^# TYPE' <<<"$metrics" ||
  fail "/metrics on the replica itself"
ok "/metrics: 403 through nginx, served on the replica's own port"

h=http://127.0.0.1:$ph
[ "$(curl -sS "$h/.well-known/acme-challenge/gk-acme-token")" = gk-acme-token.check ] || fail "ACME webroot on port 80"
out=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: localhost' "$h/healthz?x=1")
[ "$out" = "301 https://localhost/healthz?x=1" ] || fail "port 80 redirect: $out"
n0=$(cat "$tmp/a.log" "$tmp/b.log" | grep -c 'GET /api/v1/regions/350481 ' || true)
out=$(curl -sS -w ' %{http_code}' -H "Authorization: Bearer $view" "$h/api/v1/regions/350481")
case $out in *'"code":"https_required"'*' 403') ;; *) fail "/api/ over port 80: $out" ;; esac
n1=$(cat "$tmp/a.log" "$tmp/b.log" | grep -c 'GET /api/v1/regions/350481 ' || true)
[ "$n0" = "$n1" ] || fail "/api/ over port 80 reached a replica"
ok "port 80: ACME webroot served, /api/ refused (403), the rest redirected to https"

kill "$pid_a"; wait "$pid_a" 2>/dev/null || true
for i in $(seq 10); do
  code=$(c -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $view" "$u/api/v1/regions/350481/rollup?year=2020")
  [ "$code" = 200 ] || fail "read $i with replica A down: $code"
done
ok "replica A stopped: 10 of 10 reads answered by B"

kill "$pid_b"; wait "$pid_b" 2>/dev/null || true
out=$(c -D "$tmp/h" -w ' %{http_code}' "$u/healthz")
case $out in *'"code":"unavailable"'*' 503') ;; *) fail "both down: $out" ;; esac
grep -qi '^retry-after: 5' "$tmp/h" || fail "no Retry-After when both are down"
ok "both replicas stopped: 503 unavailable as JSON with Retry-After"
echo "docker/nginx.conf: all checks passed"
