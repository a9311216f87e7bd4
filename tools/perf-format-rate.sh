#!/bin/sh
# The real diskblur element's running rate in RGBA and I420, and the I420
# rate against RGBA (issue 6's 1.5x), for one mode and one or more builds,
# interleaved: per frame = (t(40 frames) - t(10 frames)) / 30, which leaves
# out the start (caps, maps, plans), medians of ROUNDS. 1080p videotestsrc
# smpte, radius 32; spin and zoom with the motion preset, map and depth
# with the disparity map; the element's threads (2 on this machine).
# The time includes videotestsrc drawing each frame (about 1.7 ms an RGBA
# frame, 2.4 ms an I420 one here), which lowers the ratio: for the
# element's own rate, formats alternated in one process, use
# tools/disk-element-rate (docs/PERFORMANCE.md, twentieth session).
#
#   sh tools/perf-format-rate.sh MODE ROUNDS BUILD...
set -eu
cd "$(dirname "$0")/.."
mode=$1; rounds=$2; shift 2
case $mode in
  spin|zoom) extra="preset=motion" ;;
  map|depth) extra="map-location=$PWD/tests/data/motorcycle-disparity.png" ;;
  *) extra="" ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seconds () { # build frames format
  s=$(date +%s.%N)
  GST_PLUGIN_PATH=$1/gst GST_REGISTRY=$tmp/$(echo "$1" | md5sum | cut -c1-8).bin \
      gst-launch-1.0 -q videotestsrc num-buffers="$2" pattern=smpte ! \
      "video/x-raw,format=$3,width=1920,height=1080" ! \
      diskblur radius=32 mode="$mode" $extra ! fakesink sync=false
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.6f\n", e - s }'
}
median () { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
date -u; uptime
i=0
for b in "$@"; do i=$((i + 1)); : > "$tmp/$i-RGBA"; : > "$tmp/$i-I420"; done
for r in $(seq "$rounds"); do
  i=0
  for b in "$@"; do
    i=$((i + 1))
    for f in RGBA I420; do
      a=$(seconds "$(cd "$b" && pwd)" 10 $f)
      c=$(seconds "$(cd "$b" && pwd)" 40 $f)
      awk -v a="$a" -v c="$c" 'BEGIN { print (c - a) * 1000 / 30 }' >> "$tmp/$i-$f"
    done
  done
done
i=0
for b in "$@"; do
  i=$((i + 1))
  rgba=$(median < "$tmp/$i-RGBA"); i420=$(median < "$tmp/$i-I420")
  awk -v m="$mode" -v b="$b" -v r="$rgba" -v y="$i420" 'BEGIN {
    printf "%s %s: RGBA %.1f ms, I420 %.1f ms, I420 rate %.2fx RGBA\n",
        m, b, r, y, r / y }'
done
uptime
