#!/bin/sh
# Configures (once) and builds into build/. Safe to run again.
set -eu
cd "$(dirname "$0")/.."
if [ -f build/build.ninja ]; then
  meson setup --reconfigure build >/dev/null
else
  meson setup build >/dev/null
fi
ninja -C build
