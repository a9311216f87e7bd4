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
# the kernel and interpolation between entries costs most. Half-pixel steps
# from 8 to 12 px: with whole-pixel steps the kernel PSNR halfway between
# entries fell up to 1.2-1.6 dB below the entry before it (bokeh, heart,
# anamorphic), with half-pixel steps 0.3-0.7 dB (docs/FITTING.md, "Basis
# radii and the midpoint criterion"; motion's larger losses are a pixel-grid
# effect of the horizontal line that no radius list removes, same section).
# RADII overrides the radii of every look.
DEFAULT_RADII=1,2,3,4,6,8,8.5,9,9.5,10,10.5,11,11.5,12,14,16,20,24,32,40,48,64
SEED=${SEED:-1}

# Per-look radii (the 4th field of LOOKS; empty = DEFAULT_RADII):
# - ring: the 8 px ring happens to fit far better than its neighbours (30.1
#   dB; direct fits at 8.25-9 px reach only 27.3-27.5), so a quarter step
#   after it, and 13 px, where the ring's thin band still changes fast;
# - gaussian: its quality falls with radius beyond 32 px (direct fits 54.1
#   dB at 40-44 px, 51.1 at 56, 48.9 at 64), so a midpoint there falls
#   below the entry before it by the slope alone: 2-4 px steps from 40 px
#   (with 4-8 px steps the worst midpoint loss was 1.39 dB, with these 0.8,
#   docs/FITTING.md); no half-pixel steps (its midpoints at 8-12 px are at
#   or above the entries, and those 4 extra links in the continuation chain
#   cost up to 5 dB at 48-64 px: the chain's error accumulates).
# - motion: 44 px, where the 40 px line happens to fit far better (55.0
#   dB) than the 48 px one (52.6): the 44 px midpoint was 50.9 dB, 1.7 dB
#   below the worse of its two entries; with the 44 px entry the midpoints
#   from 40 px on are within 1 dB of it or above (and the chain's later
#   entries fit better: 48 px 54.3 dB, 64 px 55.7).
RING_RADII=1,2,3,4,6,8,8.25,8.5,9,9.5,10,10.5,11,11.5,12,13,14,16,20,24,32,40,48,64
MOTION_RADII=1,2,3,4,6,8,8.5,9,9.5,10,10.5,11,11.5,12,14,16,20,24,32,40,44,48,64
GAUSSIAN_RADII=1,2,3,4,6,8,9,10,11,12,14,16,20,24,28,32,36,40,42,44,48,52,56,60,64

# name | target | description | radii (empty: DEFAULT_RADII). The slowest
# look (gaussian, most large radii) first, so it does not run alone at the end.
LOOKS="gaussian|gaussian|Gaussian blur (sigma = radius / 3)|$GAUSSIAN_RADII
bokeh|disc|Circular lens bokeh (a disc: the default aperture)|
hexagon|polygon:n=6,rotation=10|Six-bladed lens aperture, slightly rotated like a real lens|
octagon|polygon:n=8,rotation=8|Eight-bladed lens aperture, slightly rotated like a real lens|
ring|ring:inner=0.6|Mirror-lens (catadioptric) donut bokeh|$RING_RADII
star|star:n=5,inner=0.45|Five-pointed star bokeh|
heart|heart|Heart-shaped bokeh|
motion|line|Motion blur along x (a line of length 2 radius); rotate with angle, spin, zoom|$MOTION_RADII
anamorphic|ellipse:aspect=0.5|Oval bokeh of anamorphic lenses (ellipse, aspect 0.5)|"

jobs=$(mktemp)
trap 'rm -f "$jobs"' EXIT
echo "$LOOKS" | while IFS='|' read -r name target description radii; do
  radii=${RADII:-${radii:-$DEFAULT_RADII}}
  for variant in "" "-fast"; do
    samples=24
    [ "$variant" = "-fast" ] && samples=12
    # One line per job: the arguments, NUL-free, quoted for sh.
    printf '%s\n' "cd '$PWD/presets' && '$PWD/$fit' --quiet --target '$target' --radii $radii --samples $samples --layers 4 --seed $SEED --name '$name$variant' --description '$description' -o '$name$variant.preset'" >> "$jobs"
  done
done

start=$(date +%s)
# shellcheck disable=SC2016
tr '\n' '\0' < "$jobs" | xargs -0 -P 2 -n 1 sh -c 'eval "$0" || { echo "failed: $0" >&2; exit 255; }'
echo "generate.sh: $(wc -l < "$jobs") presets in $(( $(date +%s) - start )) s"
