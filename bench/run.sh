#!/bin/sh
# Runs every benchmark and prints its figures (make bench).
set -eu
cd "$(dirname "$0")/.."
sh bench/import.sh
