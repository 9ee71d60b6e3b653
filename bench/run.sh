#!/bin/sh
# Runs every benchmark and prints its figures (make bench). SIZE=small|medium|large picks the
# rank-score workload (default large); PEERS the tools to run beside saima; RUNS, TIMEOUT and
# SIZES tune the province-scale benchmark (bench/province.sh).
set -eu
cd "$(dirname "$0")/.."
sh bench/import.sh
sh bench/rank.sh "${SIZE:-large}"
# The latency of one change: write it, re-read and re-rank its group, vs ranking everything.
make -s build/bench_incremental >/dev/null
echo "## incremental re-rank: median and p99 of 200 changes"
demo=/tmp/saima-bench/demo.db
rm -f "$demo" "$demo-wal" "$demo-shm"
build/saima --db "$demo" demo --as-of 2026-10 >/dev/null
for db in "$demo" /tmp/saima-bench/import-1000000/run.db; do
  [ -f "$db" ] || continue
  cp "$db" /tmp/saima-bench/incremental.db && rm -f /tmp/saima-bench/incremental.db-wal /tmp/saima-bench/incremental.db-shm
  build/bench_incremental /tmp/saima-bench/incremental.db 200
done
sh bench/http.sh
sh bench/province.sh
