#!/bin/sh
# `npm test`: Biome's format and lint check, then the type check and every test tier in one vitest run (unit, infrastructure and
# integration together, then end-to-end, then the reduced chaos run; see vitest.config.ts).
# The type check runs beside the first tier, which it outlasts by far less than it would take on
# its own; its output is printed after the tests, and either failing fails the whole.
set -u
# Formatting and lint first (biome.json; a few seconds): `npm run format` rewrites, `npm run lint` explains.
if ! npx --no-install biome ci --reporter=summary . ; then
  echo "== format or lint failed: npm run format, then npm run lint"
  exit 1
fi
typecheck_log=$(mktemp)
# The server code and tests (tsconfig.json), then the agent console (browser code: console/tsconfig.json).
{ npx --no-install tsc --noEmit && npx --no-install tsc --noEmit -p console; } >"$typecheck_log" 2>&1 &
typecheck_pid=$!
npx --no-install vitest run "$@"
tests_status=$?
wait "$typecheck_pid"
typecheck_status=$?
if [ "$typecheck_status" -ne 0 ]; then
  echo "== type check failed"
  cat "$typecheck_log"
else
  echo "== type check passed"
fi
rm -f "$typecheck_log"
[ "$tests_status" -eq 0 ] && [ "$typecheck_status" -eq 0 ]
