#!/bin/sh
# Installs the Debian 12 packages gst-diskblur needs to build, test and run the
# demo, and nothing when they are all there already (idempotent). Run as root.
#
#   sh tools/install-deps.sh            build, tests, demo
#   sh tools/install-deps.sh --bench    also the benchmark's baselines and
#                                       peers (bench/, docs/BENCHMARKS.md):
#     libfftw3-dev              FFT convolution baseline (fftw3f)
#     liblapacke-dev            SVD for the low-rank baseline
#     gstreamer1.0-plugins-bad  the gaussianblur peer
#     ffmpeg                    the gblur, varblur and dblur peers
#     python3-matplotlib        bench/plot.py (quality-vs-time plot)
#     python3-skimage           the 741x500 motorcycle photo of the depth case
# The main build does not need the --bench set: meson skips bench/ without it.
set -eu

PACKAGES="
  gcc pkg-config meson ninja-build python3
  libglib2.0-dev libgdk-pixbuf-2.0-dev libpng-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  liborc-0.4-dev liborc-0.4-dev-bin
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
"
BENCH_PACKAGES="
  libfftw3-dev liblapacke-dev gstreamer1.0-plugins-bad
  ffmpeg python3-matplotlib python3-skimage
"
case "${1:-}" in
  --bench) PACKAGES="$PACKAGES $BENCH_PACKAGES" ;;
  "") ;;
  *) echo "install-deps: unknown option '$1' (only --bench)" >&2; exit 2 ;;
esac

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages and not root; run as root:" >&2
  echo "  apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
