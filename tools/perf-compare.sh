#!/bin/sh
# The fast path (tools/disk-perf) of two builds, interleaved in one
# invocation, on the cases of docs/PERFORMANCE.md: medians per case.
#
#   sh tools/perf-compare.sh BASE_BUILD NEW_BUILD [BOKEH_PRESET [LINE_PRESET]]
#
# BASE_BUILD, e.g. a build of an older commit (git worktree add /tmp/base
# COMMIT && meson setup /tmp/base-build /tmp/base && ninja -C /tmp/base-build
# tools/disk-perf). Presets default to presets/bokeh.preset and
# presets/motion.preset; pass frozen copies when the tree's may change.
set -eu
cd "$(dirname "$0")/.."
base=$1/tools/disk-perf
new=$2/tools/disk-perf
bokeh=${3:-presets/bokeh.preset}
line=${4:-presets/motion.preset}
date -u; uptime; nproc
run () { # label preset args...
  label=$1; preset=$2; shift 2
  for bin in "$base" "$new"; do
    printf '%s, %s: ' "$label" "$bin"
    "$bin" --preset "$preset" "$@" --path fast 2>&1 \
        | grep -o 'median [0-9.]* ms (min [0-9.]*, max [0-9.]*)'
  done
}
run "uniform r32 rgba 2t" "$bokeh" --radius 32 --threads 2 --runs 7
run "uniform r32 rgba 1t" "$bokeh" --radius 32 --threads 1 --runs 7
run "uniform r8 rgba 2t" "$bokeh" --radius 8 --threads 2 --runs 7
run "uniform r8 rgba 1t" "$bokeh" --radius 8 --threads 1 --runs 7
run "uniform r32 i420 2t" "$bokeh" --radius 32 --format i420 --threads 2 --runs 7
run "uniform r32 nv12 2t" "$bokeh" --radius 32 --format nv12 --threads 2 --runs 7
run "uniform r8 i420 2t" "$bokeh" --radius 8 --format i420 --threads 2 --runs 7
run "uniform r32 rgba 2160p 2t" "$bokeh" --radius 32 --width 3840 --height 2160 --threads 2 --runs 5
run "tilt-shift r32 2t" "$bokeh" --mode tilt-shift --radius 32 --threads 2 --runs 7
run "map r32 2t" "$bokeh" --mode map --radius 32 --threads 2 --runs 5
run "depth r32 2t" "$bokeh" --mode depth --radius 32 --threads 2 --runs 5
run "spin r32 2t" "$line" --mode spin --radius 32 --threads 2 --runs 3
run "zoom r32 2t" "$line" --mode zoom --radius 32 --threads 2 --runs 3
run "map r32 1t" "$bokeh" --mode map --radius 32 --threads 1 --runs 3
uptime
