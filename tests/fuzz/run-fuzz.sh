#!/bin/sh
# Coverage-guided fuzzing of the preset reader (disk_preset_load_data).
#
# Usage:  tests/fuzz/run-fuzz.sh [SECONDS]        (default 60)
#
# Builds tests/fuzz/fuzz-preset.c with clang -fsanitize=fuzzer,address,undefined
# against the core sources it needs, makes a seed corpus from a valid preset
# (plus every presets/*.preset in the tree), and runs libFuzzer for SECONDS.
# Everything goes to $FUZZ_DIR (default build-fuzz/ at the top of the tree):
# the binary, the growing corpus (kept between runs) and, if something is
# found, crash-* / leak-* / timeout-* inputs under artifacts/. Reproduce one
# with:  build-fuzz/fuzz-preset build-fuzz/artifacts/crash-...
#
# Not part of `meson test` or CI: it needs clang and libFuzzer, which on
# Debian 12 come from `apt-get install -y clang libclang-rt-14-dev`.
# Extra libFuzzer options can be passed in FUZZ_ARGS (e.g. FUZZ_ARGS=-jobs=2).
set -eu

seconds=${1:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_DIR:-$top/build-fuzz}
cc=${CLANG:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
  echo "run-fuzz.sh: $cc not found; install it with:" >&2
  echo "  apt-get install -y clang libclang-rt-14-dev" >&2
  exit 2
fi
case $seconds in
  ''|*[!0-9]*) echo "run-fuzz.sh: SECONDS must be a whole number, not '$seconds'" >&2
    exit 2 ;;
esac

mkdir -p "$out/corpus" "$out/seeds" "$out/artifacts"

echo "run-fuzz.sh: building $out/fuzz-preset"
# shellcheck disable=SC2046
"$cc" -g -O1 -std=c11 -D_GNU_SOURCE \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$top/src" $(pkg-config --cflags glib-2.0) \
  "$top/tests/fuzz/fuzz-preset.c" \
  "$top/src/disk-preset.c" "$top/src/disk-basis.c" "$top/src/disk-complex.c" \
  $(pkg-config --libs glib-2.0 gio-2.0) -lm \
  -o "$out/fuzz-preset"

# Seeds: a small valid preset written here (so the script works on a fresh
# tree), a variant with every optional key, and the shipped presets.
cat > "$out/seeds/small.preset" <<'PRESET'
[preset]
format=1
name=seed
description=Seed for the fuzzer
target=disc
structure=2;3
radii=1;2.5
command=disk-fit --target disc --samples 2 --layers 2
seed=42

[entry 0]
radius=1
kernel-psnr=40.5
layer0-x=0.5;-0.5
layer0-y=0;0.25
layer0-w=0.5;0.5
layer1-x=1;0;-1
layer1-y=0;1;0
layer1-w=0.25;0.5;0.25

[entry 1]
radius=2.5
kernel-psnr=inf
layer0-x=1.25;-1.25
layer0-y=0;0.625
layer0-w=0.5;0.5
layer1-x=2.5;0;-2.5
layer1-y=0;2.5;0
layer1-w=0.125;0.75;0.125
PRESET
cat > "$out/seeds/minimal.preset" <<'PRESET'
[preset]
format=1
name=m
structure=1
radii=3

[entry 0]
radius=3
layer0-x=0
layer0-y=0
layer0-w=1
PRESET
for f in "$top"/presets/*.preset; do
  [ -f "$f" ] && cp "$f" "$out/seeds/"
done

# Tokens of the format, so that mutations speak its language.
cat > "$out/preset.dict" <<'DICT'
"[preset]"
"[entry 0]"
"[entry 1]"
"[entry 2]"
"format="
"name="
"description="
"target="
"structure="
"radii="
"command="
"seed="
"radius="
"kernel-psnr="
"layer0-x="
"layer0-y="
"layer0-w="
"layer1-x="
"layer1-y="
"layer1-w="
"layer15-w="
"nan"
"inf"
"-inf"
"1e30"
"1e-320"
"0x1p3"
"4096"
"4097"
"18446744073709551615"
"\\s"
"\\n"
"\\;"
";"
"#"
DICT

echo "run-fuzz.sh: fuzzing for ${seconds}s (corpus $out/corpus)"
cd "$out"
# shellcheck disable=SC2086
./fuzz-preset -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -dict=preset.dict -artifact_prefix=artifacts/ \
  -print_final_stats=1 ${FUZZ_ARGS:-} corpus seeds
