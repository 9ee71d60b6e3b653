#!/bin/sh
# golden: runs every `build/saima` command of the README, in order, on the demo city, and
# compares the transcript (with extra.txt's commands after them) (each command, its output, its exit code) with readme.txt beside
# this file, so that a restructuring cannot change what a user sees. UPDATE=1 rewrites it.
# Only what cannot repeat is masked: today's date, timestamps and the workload's timings.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SAIMA_BIN:-build/asan/saima}
case $bin in /*) ;; *) bin=$root/$bin ;; esac
work=$(mktemp -d /tmp/saima-golden-XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work" || exit 1
unset SAIMA_DB SAIMA_LANG
export USER=golden

# What the commands read: ./saima.db as `make run` leaves it (the demo at a fixed month), the
# CSV files the README imports, and a small benchmark workload directory.
"$bin" --db saima.db demo --as-of 2026-10 >/dev/null || exit 1
"$bin" --db saima.db export units > units.csv || exit 1
"$bin" --db saima.db export observations --period 2026-10 > 2026-10.csv || exit 1
printf '指标代码,单位代码,期间,数值\ngdp,linjiang,2026-10,abc\nnope,linjiang,2026-10,1\ngdp,linjiang,2026-10,\n' > bad.csv
mkdir DATADIR
printf 'code,direction,weight\nI1,higher,1\nI2,lower,2\n' > DATADIR/indicators.csv
printf 'indicator,region,period,value\n' > DATADIR/values.csv
for i in 1 2; do for r in 1 2 3; do for p in 1 2; do
  printf 'I%s,R%s,%s,%s.%s\n' $i $r $p $(( (i * 7 + r * 3 + p) % 5 )) $r >> DATADIR/values.csv
done; done; done

# The README's commands: lines starting with build/saima, continuations joined, comments cut.
awk '/^build\/saima/ { cmd = $0; while (cmd ~ /\\ *$/) { sub(/\\ *$/, "", cmd); getline more; cmd = cmd more }
                       sub(/  +#.*$/, "", cmd); print cmd }' "$root/README.md" > commands.txt
# ... then the same answers as JSON, and a few more, on the same databases (extra.txt).
grep -v '^#' "$here/extra.txt" >> commands.txt

today=$(date -u +%Y-%m-%d)
ltoday=$(TZ=Asia/Shanghai date +%Y-%m-%d)
mask() {
  sed -e "s/${today}T[0-9:.]*Z/<now>/g" -e "s/${ltoday}T[0-9:.]*Z/<now>/g" \
      -e "s/$today/<today>/g" -e "s/$ltoday/<today>/g" \
      -e 's/\(_s\|load\|compute\)=[0-9.]*/\1=<t>/g'
}

# serve runs until stopped: it is started on a free port, asked for its health, and stopped.
serve_check() {
  port=$(( 20000 + $$ % 20000 ))
  "$bin" serve --port "$port" >serve.log 2>&1 &
  pid=$!
  ok=no
  for _ in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; then ok=yes; break; fi
    sleep 0.1
  done
  kill -TERM "$pid"; wait "$pid"; rc=$?
  echo "health answered: $ok"
  sed "s/:$port/:<port>/" serve.log | grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' 
  return $rc
}

out=transcript.txt
: > "$out"
while IFS= read -r line; do
  cmd=${line#build/saima }
  echo "\$ saima $cmd" >> "$out"
  case $cmd in
    serve*) serve_check >> "$out" 2>&1; rc=$? ;;
    *) echo golden-password-2026 | eval "\"\$bin\" $cmd" > step.out 2>&1; rc=$?
       mask < step.out >> "$out"
       case $cmd in workload*) file=out.csv ;; *'> '*) file=${cmd##*> } ;; *) file= ;; esac
       [ -n "$file" ] && echo "$file: $(wc -l < "$file") lines, $(mask < "$file" | md5sum | cut -c1-32)" >> "$out" ;;
  esac
  echo "[exit $rc]" >> "$out"
  echo >> "$out"
done < commands.txt

if [ "${UPDATE:-0}" = 1 ]; then
  cp "$out" "$here/readme.txt"
  echo "golden: wrote $(grep -c '^\$ saima' "$out") commands to tests/golden/readme.txt"
  exit 0
fi
if diff -u "$here/readme.txt" "$out" > diff.txt; then
  echo "golden: $(grep -c '^\$ saima' "$out") README commands as recorded"
  exit 0
fi
head -80 diff.txt
echo "golden: the README's commands answer differently from tests/golden/readme.txt (UPDATE=1 rewrites it)"
exit 1
