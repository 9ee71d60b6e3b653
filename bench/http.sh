#!/bin/sh
# Load test of the server (make bench): wrk at 64 and at 256 connections against the ranking
# endpoint of the demo city, and against a static file of exactly the same size served by the
# same server (the floor: no store, no engine). Prints requests per second, p99 latency and
# the ranking's share of the floor, the median of RUNS runs of SECONDS each, then the server's
# memory (VmRSS, VmHWM). The server keeps results until what they read changes; a line per
# connection count shows the ranking when every request has to compute it.
# Usage: sh bench/http.sh [RUNS] [SECONDS]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-3}
secs=${2:-10}
bin=${SAIMA:-build/saima}
dir=/tmp/saima-bench/http
rm -rf "$dir"
mkdir -p "$dir/web"
"$bin" --db "$dir/demo.db" demo --as-of 2026-10 >/dev/null
cp -R web/. "$dir/web/"
path="/api/rankings?indicator=gdp"
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true' EXIT INT TERM

start_server() {
  "$bin" --db "$dir/demo.db" serve --port 0 --threads 2 --web "$dir/web" >"$dir/serve.out" 2>/dev/null &
  pid=$!
  for _ in $(seq 50); do
    url=$(head -n 1 "$dir/serve.out" 2>/dev/null || true)
    case "$url" in http://*) break ;; esac
    sleep 0.1
  done
  url=${url%/}
}

start_server
curl -sf "$url$path" >"$dir/rank.json"
size=$(wc -c <"$dir/rank.json")
kill "$pid"; wait "$pid" 2>/dev/null || true
# the floor: a file of the same bytes, served from the same server's memory
head -c "$size" /dev/zero | tr '\0' 'x' >"$dir/web/same-size.txt"
start_server

# A wrk script that makes every request's URL new, so no reply can come from the server's
# cache of results: what a request costs when the data has just changed.
cat >"$dir/fresh.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", wrk.path .. "&fresh=" .. n .. "-" .. math.random(1e9))
end
LUA

# Prints "rps p99_ms" of one wrk run at $conns connections (extra wrk options after the URL).
one_run() {
  target=$1
  shift
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" "$target" >"$dir/wrk.out"
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$dir/wrk.out")
  p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }' "$dir/wrk.out")
  errors=$(awk '/Non-2xx|Socket errors/ { print }' "$dir/wrk.out")
  [ -z "$errors" ] || echo "  wrk: $errors" >&2
  echo "$rps $p99"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

report() {
  name=$1
  shift
  : >"$dir/runs"
  for _ in $(seq "$runs"); do one_run "$@" >>"$dir/runs"; done
  rps=$(awk '{ print $1 }' "$dir/runs" | median)
  p99=$(awk '{ print $2 }' "$dir/runs" | median)
  printf '%-34s %12s %10s   runs: %s\n' "$name" "$rps" "$p99" "$(awk '{ printf "%s/%sms ", $1, $2 }' "$dir/runs")"
  last_rps=$rps
}

for conns in 64 256; do
  echo "## HTTP load: wrk -t2 -c$conns -d${secs}s, median of $runs runs ($size-byte replies)"
  printf '%-34s %12s %10s\n' "target" "requests/s" "p99 ms"
  report "GET /same-size.txt (floor)" "$url/same-size.txt"
  floor=$last_rps
  report "GET $path" "$url$path"
  cached=$last_rps
  report "  the same, never from the cache" "$url$path" -s "$dir/fresh.lua"
  awk -v c="$cached" -v f="$floor" -v n="$conns" 'BEGIN { printf "cached rankings / floor at %s connections: %.0f %%\n", n, 100 * c / f }'
done
echo "server memory after the runs: $(awk '/^VmRSS|^VmHWM|^RssAnon/ { printf "%s %s %s  ", $1, $2, $3 }' "/proc/$pid/status")"
kill "$pid"; wait "$pid" 2>/dev/null || true
