#!/bin/sh
# Installs the Debian 12 packages the benchmark (bench/, docs/BENCHMARKS.md)
# needs on top of tools/install-deps.sh, and nothing when they are all there
# already (idempotent). Run as root. The main build does not need them: meson
# skips bench/ when FFTW3 or LAPACKE is missing.
#   libfftw3-dev          FFT convolution baseline (fftw3f)
#   liblapacke-dev        SVD for the low-rank baseline (LAPACKE_dgesvd)
#   gstreamer1.0-plugins-bad  the gaussianblur peer
#   ffmpeg                the gblur, varblur and dblur peers
#   python3-matplotlib    bench/plot.py (quality-vs-time plot)
#   python3-skimage       the 741x500 motorcycle photo of the depth case
#                         (without it the 160x108 tests/data copy is used)
set -eu

PACKAGES="
  libfftw3-dev liblapacke-dev
  gstreamer1.0-tools gstreamer1.0-plugins-bad
  ffmpeg python3-matplotlib python3-skimage
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-bench-deps: all packages present"
  exit 0
fi

echo "install-bench-deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-bench-deps: missing packages and not root; run as root:" >&2
  echo "  apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
