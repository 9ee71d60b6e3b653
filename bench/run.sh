#!/bin/sh
# Runs every benchmark and prints its figures (make bench). SIZE=small|medium|large picks the
# rank-score workload (default large); PEERS the tools to run beside saima.
set -eu
cd "$(dirname "$0")/.."
sh bench/import.sh
sh bench/rank.sh "${SIZE:-large}"
