#!/bin/sh
# Province-scale benchmark (issue 10): builds the province demo at three sizes (regions x
# indicators, three years of months) and prints one markdown table of medians of RUNS runs:
# the time to generate each database, `saima score` (wall time and peak RSS), and uncached
# server requests (/api/heatmap, /api/scores, /api/rankings of the first indicator without
# and with &period), each URL made unique with &fresh=N so that no reply comes from the
# server's kept results, after a first (cold) heatmap and a warm-up; then the server's RSS
# (VmRSS, VmHWM) after its requests. Beside them, build/bench_panel's time of the engine alone
# on the same panels, and each request's ratio to it (issue 10: under 10×).
# A run longer than TIMEOUT seconds prints "timeout" and skips that cell's other runs (the
# server is restarted, as it may still be computing).
#   sh bench/province.sh      (RUNS=3 TIMEOUT=300 AS_OF=2026-10 SIZES="27x30 27x300 130x300"
#                              SAIMA=build/saima BENCH_DIR=/tmp/saima-bench)
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-300}
AS_OF=${AS_OF:-2026-10}
SIZES=${SIZES:-27x30 27x300 130x300}
bin=${SAIMA:-build/saima}
panel=${PANEL:-build/bench_panel}
base=${BENCH_DIR:-/tmp/saima-bench}
[ -x "$bin" ] || { echo "bench: $bin not built (make build)" >&2; exit 1; }
mkdir -p "$base"
results=$base/province-results
: >"$results"
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true' EXIT INT TERM

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }

# Records one cell: size, row name, value.
put() { printf '%s|%s|%s\n' "$1" "$2" "$3" >>"$results"; }

start_server() {
  "$bin" --db "$db" serve --port 0 --threads 2 >"$dir/serve.out" 2>"$dir/serve.err" &
  pid=$!
  url=""
  for _ in $(seq 100); do
    url=$(head -n 1 "$dir/serve.out" 2>/dev/null || true)
    case "$url" in http://*) break ;; esac
    sleep 0.1
  done
  case "$url" in http://*) url=${url%/} ;; *) echo "bench: the server did not start" >&2; exit 1 ;; esac
}

stop_server() {
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  pid=""
}

# Puts the median of RUNS uncached requests of a path in a cell (size, row name, path), or
# "timeout" / "HTTP <status>". Not run in a subshell: it may restart the server.
fresh=0
time_request() {
  name=$1
  path=$2
  case "$path" in *\?*) sep="&" ;; *) sep="?" ;; esac
  : >"$dir/runs"
  for _ in $(seq "$RUNS"); do
    fresh=$((fresh + 1))
    out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time "$TIMEOUT" \
      "$url$path${sep}fresh=$fresh" || true)
    code=${out%% *}
    if [ "$code" = "000" ]; then
      put "$size" "$name" "timeout"
      stop_server
      start_server
      return
    fi
    [ "$code" = "200" ] || { put "$size" "$name" "HTTP $code"; return; }
    echo "${out#* }" >>"$dir/runs"
  done
  put "$size" "$name" "$(printf '%.3f' "$(median <"$dir/runs")")"
}

# Puts a cell's seconds divided by an engine time in ms (the issue's target: under 10×).
ratio() {
  secs=$(awk -F'|' -v s="$size" -v r="$2" '$1 == s && $2 == r { print $3 }' "$results")
  case "$secs" in ''|timeout|HTTP*|exit*) return ;; esac
  [ -z "$3" ] || put "$size" "$1" "$(awk -v a="$secs" -v b="$3" 'BEGIN { printf "%.1f×", a * 1000 / b }')"
}

# Puts the time of one uncached request in a cell, then warms every worker's page cache with
# two more of each cacheable path (uncounted).
time_cold() {
  fresh=$((fresh + 1))
  put "$size" "$1" "$(curl -s -o /dev/null -w '%{time_total}' --max-time "$TIMEOUT" "$url$2?fresh=$fresh" || echo timeout)"
  for p in /api/heatmap /api/scores /api/heatmap /api/scores; do
    fresh=$((fresh + 1))
    curl -s -o /dev/null --max-time "$TIMEOUT" "$url$p?fresh=$fresh" || true
  done
}

# Puts the slowest of five /api/health answers asked while two uncached heatmaps compute
# (issue 10: within 50 ms), in ms.
health_under_load() {
  fresh=$((fresh + 1))
  curl -s -o /dev/null --max-time "$TIMEOUT" "$url/api/heatmap?fresh=$fresh-a" &
  h1=$!
  curl -s -o /dev/null --max-time "$TIMEOUT" "$url/api/heatmap?fresh=$fresh-b" &
  h2=$!
  sleep 0.02
  worst=0
  for _ in 1 2 3 4 5; do
    t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 10 "$url/api/health" || echo 10)
    worst=$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b * 1000 > a ? b * 1000 : a) }')
  done
  wait "$h1" "$h2" || true
  put "$size" "slowest \`/api/health\` during two uncached heatmaps, ms" "$(printf '%.1f' "$worst")"
}

# Puts the median wall time and peak RSS (MiB) of RUNS `saima score` in two cells, or
# "timeout" / "exit <code>".
time_score() {
  : >"$dir/runs"
  for _ in $(seq "$RUNS"); do
    rc=0
    /usr/bin/time -f '%e %M' -o "$dir/time.out" timeout "$TIMEOUT" "$bin" --db "$db" score >/dev/null || rc=$?
    if [ "$rc" -ne 0 ]; then
      what="exit $rc"
      [ "$rc" -ne 124 ] || what=timeout
      put "$size" "\`saima score\`, s" "$what"
      put "$size" "\`saima score\` peak RSS, MiB" "$what"
      return
    fi
    tail -n 1 "$dir/time.out" >>"$dir/runs"
  done
  put "$size" "\`saima score\`, s" "$(printf '%.2f' "$(awk '{ print $1 }' "$dir/runs" | median)")"
  put "$size" "\`saima score\` peak RSS, MiB" "$(( $(awk '{ print $2 }' "$dir/runs" | median) / 1024 ))"
}

echo "## province scale: medians of $RUNS runs ($(date -u +%FT%TZ), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "command: RUNS=$RUNS TIMEOUT=$TIMEOUT AS_OF=$AS_OF SIZES=\"$SIZES\" SAIMA=$bin sh bench/province.sh"
echo "databases: saima demo --scale province --regions R --indicators I --as-of $AS_OF; requests uncached (&fresh=N), anonymous (published figures), server --threads 2"
echo
for size in $SIZES; do
  regions=${size%x*}
  inds=${size#*x}
  dir=$base/province-$size
  db=$dir/province.db
  rm -rf "$dir"
  mkdir -p "$dir"
  /usr/bin/time -f '%e %M' -o "$dir/time.out" "$bin" --db "$db" --json demo --scale province \
    --regions "$regions" --indicators "$inds" --as-of "$AS_OF" >"$dir/demo.json"
  read -r gen_s gen_kib <"$dir/time.out"
  put "$size" "observations" "$(awk -F'[:,]' '$1 ~ /"observations"/ { gsub(/ /, "", $2); print $2 }' "$dir/demo.json")"
  put "$size" "generate: saima demo, s" "$gen_s"
  put "$size" "generate: peak RSS, MiB" "$((gen_kib / 1024))"
  first=$("$bin" --db "$db" --json list indicators | awk -F'"' '$2 == "code" { print $4; exit }')
  time_score
  # What the engine alone needs for the same panels (bench/panel.c), beside the use case.
  hm_eng=""
  sc_eng=""
  if [ -x "$panel" ]; then
    set -- $("$panel" "$db" "$RUNS" --values)
    hm_eng=$2
    sc_eng=$4
    put "$size" "heatmap: engine alone, ms" "$2"
    put "$size" "heatmap: use case in process (reads, engine, JSON), ms" "$1"
    put "$size" "scores: engine alone, ms" "$4"
    put "$size" "scores: use case in process, ms" "$3"
    ratio "\`saima score\` ÷ engine" "\`saima score\`, s" "$sc_eng"
  fi
  start_server
  # The first heatmap after start reads the database from the operating system's cache into
  # the workers' page caches (cold); the rows below are a running server's (warm), each
  # request still computed from the store.
  time_cold "first \`/api/heatmap\` after start (cold page cache), s" "/api/heatmap"
  time_request "\`/api/heatmap\`, s" "/api/heatmap"
  ratio "\`/api/heatmap\` ÷ engine" "\`/api/heatmap\`, s" "$hm_eng"
  time_request "\`/api/scores\`, s" "/api/scores"
  ratio "\`/api/scores\` ÷ engine" "\`/api/scores\`, s" "$sc_eng"
  health_under_load
  time_request "\`/api/rankings?indicator=$first\` without period, s" "/api/rankings?indicator=$first"
  time_request "\`/api/rankings?indicator=$first&period=$AS_OF\`, s" "/api/rankings?indicator=$first&period=$AS_OF"
  put "$size" "server VmRSS after, MiB" "$(awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")"
  put "$size" "server VmHWM (peak), MiB" "$(awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")"
  # VmRSS counts the database pages the store maps (the operating system's file cache, shared
  # by every worker); RssAnon is the server's own memory.
  put "$size" "server RssAnon (own memory) after, MiB" "$(awk '/^RssAnon:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")"
  stop_server
done

# The table: a row per measurement, a column per size (regions x indicators).
awk -F'|' -v sizes="$SIZES" '
  BEGIN { n = split(sizes, col, " ") }
  { if (!($2 in seen)) { seen[$2] = 1; row[++nr] = $2 } cell[$2, $1] = $3 }
  END {
    line = "| |"; sep = "|---|"
    for (c = 1; c <= n; c++) { line = line " " col[c] " |"; sep = sep "---:|" }
    print line; print sep
    for (r = 1; r <= nr; r++) {
      line = "| " row[r] " |"
      for (c = 1; c <= n; c++) line = line " " cell[row[r], col[c]] " |"
      print line
    }
  }' "$results"
