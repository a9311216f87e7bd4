#!/bin/sh
# Regenerates every built-in preset with disk-fit: the default 24x4 file and a
# "-fast" 12x4 variant of each look. Every file records the exact disk-fit
# command and seed that made it; the fits are deterministic, so running this
# twice gives identical files. Two fits run at a time (one per core).
#
#   sh presets/generate.sh [BUILD_DIR]        (default: build)
#
# Then `sh presets/report.sh` rebuilds presets/README.md and the contact sheets.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
fit="$build/tools/disk-fit"
[ -x "$fit" ] || { echo "generate.sh: $fit not built; run tools/build.sh" >&2; exit 1; }

# Basis radii in pixels: dense up to 12 px, where a pixel is a large part of
# the kernel and interpolation between entries costs most (measured in
# presets/README.md: 1-px steps keep midpoints within 1 dB from 8 px up).
RADII=${RADII:-1,2,3,4,6,8,9,10,11,12,14,16,20,24,32,40,48,64}
SEED=${SEED:-1}

# name | target | description
LOOKS='bokeh|disc|Circular lens bokeh (a disc: the default aperture)
hexagon|polygon:n=6,rotation=10|Six-bladed lens aperture, slightly rotated like a real lens
octagon|polygon:n=8,rotation=8|Eight-bladed lens aperture, slightly rotated like a real lens
ring|ring:inner=0.6|Mirror-lens (catadioptric) donut bokeh
star|star:n=5,inner=0.45|Five-pointed star bokeh
heart|heart|Heart-shaped bokeh
gaussian|gaussian|Gaussian blur (sigma = radius / 3)
motion|line|Motion blur along x (a line of length 2 radius); rotate with angle, spin, zoom
anamorphic|ellipse:aspect=0.5|Oval bokeh of anamorphic lenses (ellipse, aspect 0.5)'

jobs=$(mktemp)
trap 'rm -f "$jobs"' EXIT
echo "$LOOKS" | while IFS='|' read -r name target description; do
  for variant in "" "-fast"; do
    samples=24
    [ "$variant" = "-fast" ] && samples=12
    # One line per job: the arguments, NUL-free, quoted for sh.
    printf '%s\n' "cd '$PWD/presets' && '$PWD/$fit' --quiet --target '$target' --radii $RADII --samples $samples --layers 4 --seed $SEED --name '$name$variant' --description '$description' -o '$name$variant.preset'" >> "$jobs"
  done
done

start=$(date +%s)
# shellcheck disable=SC2016
tr '\n' '\0' < "$jobs" | xargs -0 -P 2 -n 1 sh -c 'eval "$0" || { echo "failed: $0" >&2; exit 255; }'
echo "generate.sh: $(wc -l < "$jobs") presets in $(( $(date +%s) - start )) s"
