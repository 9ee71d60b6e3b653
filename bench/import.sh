#!/bin/sh
# Import benchmark: N observations from one CSV into a Saima database (one transaction,
# every row validated, revision history kept), beside the floor for this job: sqlite3's own
# `.import` of the same file into a bare table. Prints the median of RUNS runs of each and
# the peak memory of one run.
#   sh bench/import.sh [N] [RUNS]      (defaults 1000000 and 5; SAIMA=path/to/saima)
set -eu
N=${1:-1000000}
RUNS=${2:-5}
SAIMA=${SAIMA:-build/saima}
W=${BENCH_DIR:-/tmp/saima-bench}/import-$N
mkdir -p "$W"
[ -x "$SAIMA" ] || { echo "bench: $SAIMA not built (make build)" >&2; exit 1; }

# 200 regions x 100 indicators x 50 months = 1,000,000 rows (scaled down for smaller N).
IND=100
UNITS=200
MONTHS=$(( (N + IND * UNITS - 1) / (IND * UNITS) ))
if [ ! -f "$W/obs.csv" ]; then
  awk -v n="$UNITS" 'BEGIN { print "code,name,kind"; for (u = 1; u <= n; u++) printf "U%04d,单位%d,region\n", u, u }' > "$W/units.csv"
  awk -v n="$IND" 'BEGIN { print "code,name,direction,value_kind";
    for (i = 1; i <= n; i++) printf "I%03d,指标%d,%s,%s\n", i, i, (i % 2 ? "higher" : "lower"), (i % 3 ? "level" : "growth") }' > "$W/indicators.csv"
  awk -v nu="$UNITS" -v ni="$IND" -v nm="$MONTHS" -v total="$N" 'BEGIN {
    srand(1); print "indicator,unit,period,value"; k = 0
    for (i = 1; i <= ni; i++) for (u = 1; u <= nu; u++) for (m = 0; m < nm; m++) {
      if (k++ >= total) exit
      y = 2020 + int(m / 12); mo = m % 12 + 1
      base = (i % 3 ? 100 + u : 5)
      printf "I%03d,U%04d,%d-%02d,%.2f\n", i, u, y, mo, base * (1 + 0.02 * m) * (0.95 + 0.1 * rand())
    } }' > "$W/obs.csv"
fi
rows=$(( $(wc -l < "$W/obs.csv") - 1 ))

rm -f "$W/base.db" "$W/base.db-wal" "$W/base.db-shm"
"$SAIMA" --db "$W/base.db" import units "$W/units.csv" > /dev/null
"$SAIMA" --db "$W/base.db" import indicators "$W/indicators.csv" > /dev/null

now() { date +%s.%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }

saima_once() {
  rm -f "$W/run.db" "$W/run.db-wal" "$W/run.db-shm"
  cp "$W/base.db" "$W/run.db"
  t0=$(now)
  "$SAIMA" --db "$W/run.db" import observations "$W/obs.csv" --today 2099-12-31 > /dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}
floor_once() {
  rm -f "$W/floor.db"
  sqlite3 "$W/floor.db" "CREATE TABLE obs (indicator TEXT, unit TEXT, period TEXT, value REAL)"
  t0=$(now)
  sqlite3 "$W/floor.db" ".import --csv --skip 1 $W/obs.csv obs"
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}

s_times=""; f_times=""
for r in $(seq "$RUNS"); do
  s_times="$s_times $(saima_once)"
  f_times="$f_times $(floor_once)"
done
s_med=$(echo $s_times | tr ' ' '\n' | median)
f_med=$(echo $f_times | tr ' ' '\n' | median)

rm -f "$W/run.db" "$W/run.db-wal" "$W/run.db-shm"; cp "$W/base.db" "$W/run.db"
s_rss=$(peak_kib "$SAIMA" --db "$W/run.db" import observations "$W/obs.csv" --today 2099-12-31 || echo 0)
rm -f "$W/floor.db"; sqlite3 "$W/floor.db" "CREATE TABLE obs (indicator TEXT, unit TEXT, period TEXT, value REAL)"
f_rss=$(peak_kib sqlite3 "$W/floor.db" ".import --csv --skip 1 $W/obs.csv obs" || echo 0)
stored=$(sqlite3 "$W/run.db" "SELECT count(*) FROM observations")

echo "## import: $rows observations from CSV, median of $RUNS runs ($(date -u +%FT%TZ), $(nproc) cores)"
echo "| job | median s | runs s | peak RSS MiB | rows/s |"
echo "|---|---:|---|---:|---:|"
printf "| saima import observations | %.3f | %s | %d | %.0f |\n" "$s_med" "$(echo $s_times | awk '{ for (i = 1; i <= NF; i++) printf "%s%.2f", (i > 1 ? " " : ""), $i }')" $((s_rss / 1024)) "$(echo "$rows / $s_med" | bc -l)"
printf "| sqlite3 .import, bare table (floor) | %.3f | %s | %d | %.0f |\n" "$f_med" "$(echo $f_times | awk '{ for (i = 1; i <= NF; i++) printf "%s%.2f", (i > 1 ? " " : ""), $i }')" $((f_rss / 1024)) "$(echo "$rows / $f_med" | bc -l)"
printf "ratio saima/floor: %.2fx (issue 10: <= 3x); rows stored: %s\n" "$(echo "$s_med / $f_med" | bc -l)" "$stored"
[ "$stored" -eq "$rows" ] || { echo "bench: stored $stored of $rows rows" >&2; exit 1; }
