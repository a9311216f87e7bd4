#!/bin/sh
# The demo: installs what is missing, builds, then runs diskblur in real
# GStreamer pipelines over real photographs and writes the results as PNG.
# Safe to run again. Results: build/demo/*.png (printed at the end).
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
sh tools/build.sh >/dev/null

out=build/demo
mkdir -p "$out"
# The plugin straight from the build tree, with a registry of its own.
export GST_PLUGIN_PATH="$PWD/build/gst"
export GST_REGISTRY="$PWD/build/demo/registry.bin"

run () {
  name=$1
  shift
  echo "demo: $name"
  # shellcheck disable=SC2068
  gst-launch-1.0 -q $@ ! videoconvert ! pngenc ! filesink location="$out/$name.png"
}

jpeg () { echo "filesrc location=tests/data/$1 ! jpegdec ! videoconvert"; }
png () { echo "filesrc location=tests/data/$1 ! pngdec ! videoconvert"; }

run coffee-bokeh      "$(jpeg demo-coffee.jpg) ! diskblur preset=bokeh radius=12"
run coffee-hexagon    "$(jpeg demo-coffee.jpg) ! diskblur preset=hexagon radius=12 linear-light=true"
run astronaut-heart   "$(jpeg demo-astronaut.jpg) ! diskblur preset=heart radius=10"
run coffee-tilt-shift "$(jpeg demo-coffee.jpg) ! diskblur mode=tilt-shift radius=14 focus-width=0.15 focus-falloff=0.3"
run astronaut-spin    "$(jpeg demo-astronaut.jpg) ! diskblur preset=motion mode=spin radius=16"
run astronaut-zoom    "$(jpeg demo-astronaut.jpg) ! diskblur preset=motion mode=zoom radius=16 center-x=0.45 center-y=0.35"
run motorcycle-depth  "$(png motorcycle.png) ! diskblur mode=depth radius=6 map-location=tests/data/motorcycle-disparity.png focus-depth=0.82 depth-range=0.5"

echo
echo "demo: inputs are tests/data/demo-coffee.jpg, demo-astronaut.jpg and motorcycle.png;"
echo "demo: blurred results written to $PWD/$out/:"
ls -1 "$out"/*.png | sed 's/^/  /'
