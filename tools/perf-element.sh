#!/bin/sh
# The real diskblur element of two builds and a pipeline without it,
# interleaved, 5 rounds: time per frame = (median total - median total
# without diskblur) / frames.
#
#   sh tools/perf-element.sh BASE_BUILD NEW_BUILD
set -eu
cd "$(dirname "$0")/.."
base=$(cd "$1" && pwd)/gst
new=$(cd "$2" && pwd)/gst
map=$PWD/tests/data/motorcycle-disparity.png
reg=$(mktemp -d)
trap 'rm -rf "$reg"' EXIT
date -u; uptime
seconds () { # plugin-dir-or-empty frames width height format diskblur-args...
  dir=$1; n=$2; w=$3; h=$4; fmt=$5; shift 5
  s=$(date +%s.%N)
  if [ -z "$dir" ]; then
    gst-launch-1.0 -q videotestsrc num-buffers="$n" pattern=smpte ! \
        "video/x-raw,format=$fmt,width=$w,height=$h" ! fakesink sync=false
  else
    GST_PLUGIN_PATH=$dir GST_REGISTRY=$reg/$(echo "$dir" | md5sum | cut -c1-8).bin \
        gst-launch-1.0 -q videotestsrc num-buffers="$n" pattern=smpte ! \
        "video/x-raw,format=$fmt,width=$w,height=$h" ! diskblur "$@" ! \
        fakesink sync=false
  fi
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.6f\n", e - s }'
}
median () { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
case_ () { # label frames width height format diskblur-args...
  label=$1; n=$2; w=$3; h=$4; fmt=$5; shift 5
  : > "$reg/none"; : > "$reg/base"; : > "$reg/new"
  for round in 1 2 3 4 5; do
    seconds "" "$n" "$w" "$h" "$fmt" >> "$reg/none"
    seconds "$base" "$n" "$w" "$h" "$fmt" "$@" >> "$reg/base"
    seconds "$new" "$n" "$w" "$h" "$fmt" "$@" >> "$reg/new"
  done
  none=$(median < "$reg/none"); b=$(median < "$reg/base"); m=$(median < "$reg/new")
  awk -v l="$label" -v z="$none" -v b="$b" -v m="$m" -v n="$n" 'BEGIN {
    printf "%s: base %.1f ms, new %.1f ms per frame\n", l,
        (b - z) * 1000 / n, (m - z) * 1000 / n }'
}
case_ "RGBA r8" 100 1920 1080 RGBA radius=8
case_ "RGBA r32" 100 1920 1080 RGBA radius=32
case_ "I420 r32" 100 1920 1080 I420 radius=32
case_ "RGBA tilt-shift r32" 60 1920 1080 RGBA radius=32 mode=tilt-shift
case_ "RGBA map r32" 30 1920 1080 RGBA radius=32 mode=map "map-location=$map"
case_ "RGBA depth r32" 30 1920 1080 RGBA radius=32 mode=depth "map-location=$map"
case_ "RGBA spin r32 motion" 20 1920 1080 RGBA radius=32 mode=spin preset=motion
case_ "RGBA zoom r32 motion" 20 1920 1080 RGBA radius=32 mode=zoom preset=motion
case_ "RGBA 2160p r32" 30 3840 2160 RGBA radius=32
uptime
