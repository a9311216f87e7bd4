#!/bin/sh
# The whole test suite from a fresh Debian 12 machine: installs what is
# missing, builds, runs every test, and ends with "N passed, N failed"
# (N counts the individual TAP subtests, plus each non-TAP test).
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
sh tools/build.sh
status=0
meson test -C build --print-errorlogs --num-processes 2 || status=$?
python3 tools/count-results.py build/meson-logs/testlog.json || status=1
exit $status
