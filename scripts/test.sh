#!/usr/bin/env bash
# `npm test`: the setup step, then vitest (arguments go to vitest), then the browser tests
# (Playwright on Debian's chromium against the whole stack). Both run whatever the other's
# outcome; the exit status is non-zero when either failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh || exit 1
vitest_status=0
npx vitest run "$@" || vitest_status=$?
browser_status=0
npx playwright test || browser_status=$?
if ((vitest_status != 0 || browser_status != 0)); then
  echo "npm test: vitest exited with $vitest_status, the browser tests with $browser_status" >&2
  exit 1
fi
