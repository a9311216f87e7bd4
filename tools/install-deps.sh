#!/bin/sh
# Installs the Debian 12 packages gst-diskblur needs to build, test and run the
# demo, and nothing when they are all there already (idempotent). Run as root.
set -eu

PACKAGES="
  gcc pkg-config meson ninja-build python3
  libglib2.0-dev libgdk-pixbuf-2.0-dev libpng-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  liborc-0.4-dev liborc-0.4-dev-bin
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
"

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
