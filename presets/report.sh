#!/bin/sh
# Rebuilds presets/README.md (the measured quality table) and the contact
# sheets presets/sheets/<name>.png of the 24x4 presets.
#
#   sh presets/report.sh [BUILD_DIR]        (default: build)
#
# FLOORS=1 sh presets/report.sh also rewrites tests/preset-floors.ini, the
# per-radius kernel PSNR floors that tests/test-presets.c asserts (the
# measured values less 1 dB): do that only when the presets are meant to move.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
report="$build/tools/disk-preset-report"
[ -x "$report" ] || { echo "report.sh: $report not built; run tools/build.sh" >&2; exit 1; }

# The image-PSNR photo: the coffee picture halved to 300x200, large enough
# for radius 64 kernels, small enough for dense convolution.

full=$(ls presets/*.preset | grep -v -- '-fast\.preset$')
fast=$(ls presets/*-fast.preset 2>/dev/null || true)
# shellcheck disable=SC2086
"$report" --photo tests/data/demo-coffee.jpg --photo-downscale 2 --sheets presets/sheets -o presets/README.md ${FLOORS:+--floors tests/preset-floors.ini} $full $fast
echo "report.sh: wrote presets/README.md and presets/sheets/"
