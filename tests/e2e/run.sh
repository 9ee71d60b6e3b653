#!/bin/sh
# Browser tests of the dashboard: a demo database in a temporary directory, an admin account,
# a real server on a free port, then tests/e2e/dashboard.mjs drives Debian's chromium through
# playwright-core (the reporter account is added by the script once it knows which unit has
# an open submission). Exits nonzero when any step fails. Needs SAIMA_BIN (the CLI binary).
set -u

if [ -z "${SAIMA_BIN:-}" ]; then
    echo "e2e: SAIMA_BIN must name the saima binary" >&2
    exit 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$SAIMA_BIN" in
    /*) ;;
    *) SAIMA_BIN="$(pwd)/$SAIMA_BIN" ;;
esac
TMP=$(mktemp -d "${TMPDIR:-/tmp}/saima-e2e.XXXXXX") || exit 2
DB="$TMP/saima.db"
SERVER_PID=""

cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=""
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "e2e: $*" >&2
    if [ -s "$TMP/server.err" ]; then
        echo "e2e: last lines of the server log:" >&2
        tail -n 20 "$TMP/server.err" >&2
    fi
    exit 1
}

"$SAIMA_BIN" --db "$DB" demo >"$TMP/demo.out" 2>&1 || fail "demo database: $(cat "$TMP/demo.out")"
printf 'E2e-Admin-pass-2026\n' | "$SAIMA_BIN" --db "$DB" user add e2e_admin --role admin --name 测试考核办 >/dev/null 2>"$TMP/user.err" ||
    fail "user add: $(cat "$TMP/user.err")"

"$SAIMA_BIN" --db "$DB" serve --port 0 --web "$ROOT/web" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!

URL=""
i=0
while [ $i -lt 150 ]; do
    URL=$(head -n 1 "$TMP/server.out" 2>/dev/null)
    [ -n "$URL" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited before printing its address"
    sleep 0.1
    i=$((i + 1))
done
[ -n "$URL" ] || fail "the server printed no address within 15 s"

mkdir -p "$ROOT/tests/e2e/screenshots"
E2E_DB="$DB" SAIMA_BIN="$SAIMA_BIN" E2E_SHOTS="$ROOT/tests/e2e/screenshots" \
    node "$ROOT/tests/e2e/dashboard.mjs" "$URL"
rc=$?
[ $rc -eq 0 ] || fail "dashboard.mjs failed (exit $rc)"

kill -TERM "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID"
src=$?
SERVER_PID=""
[ $src -eq 0 ] || fail "the server exited with status $src after SIGTERM"
echo "e2e: ok"
