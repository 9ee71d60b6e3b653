#!/bin/sh
# Runs every test binary given, then prints one closing line: "N passed, N failed".
# Each binary is a cmocka suite built with ASan and UBSan; SAIMA_BIN names the CLI under test.
passed=0
failed=0
for t in "$@"; do
  if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $t"; fi
done
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
