#!/bin/sh
# Rank-score workload (../shared/bench/WORKLOAD.md): saima's engine beside pandas, SQLite,
# PostgreSQL and the C floor in one run of the shared runner, which checks that checksums
# and result tables agree.   sh bench/rank.sh [small|medium|large]   (PEERS to narrow)
set -eu
cd "$(dirname "$0")/.."
SHARED=${SHARED_BENCH:-../shared/bench}
[ -x "$SHARED/run.sh" ] || { echo "bench: $SHARED/run.sh not found (shared/ beside the repo)" >&2; exit 1; }
SAIMA_CMD="$(pwd)/build/saima workload" "$SHARED/run.sh" "${1:-large}" ${PEERS:-saima pandas sqlite pg floor}
