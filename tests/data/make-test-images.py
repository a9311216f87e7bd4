#!/usr/bin/python3
"""Makes the small test photographs in tests/data from scikit-image's sample
data (Debian package python3-skimage). See tests/data/README.md.

Run with Debian's interpreter, which has numpy and scikit-image:

    /usr/bin/python3 tests/data/make-test-images.py tests/data

Every reduction is an area (box filter) average, exact for fractional
factors, and the PNG files are written by the small encoder below so that the
output does not depend on an imaging library's version. Rerunning the script
reproduces the files byte for byte (given the same scikit-image data).
"""
import struct
import sys
import zlib

import numpy as np
import skimage.data


def area_matrix(n_in, n_out):
    """(n_out, n_in) matrix: output pixel o is the mean of the input over
    [o, o + 1) * n_in / n_out, each input pixel weighted by its overlap."""
    scale = n_in / n_out
    m = np.zeros((n_out, n_in))
    for o in range(n_out):
        lo, hi = o * scale, (o + 1) * scale
        for i in range(int(np.floor(lo)), min(n_in, int(np.ceil(hi)))):
            m[o, i] = max(0.0, min(hi, i + 1) - max(lo, i))
        m[o] /= m[o].sum()
    return m


def area_resize(image, height, width):
    """Area-resamples an (h, w) or (h, w, c) float image."""
    ay = area_matrix(image.shape[0], height)
    ax = area_matrix(image.shape[1], width)
    if image.ndim == 2:
        return ay @ image @ ax.T
    return np.stack([ay @ image[:, :, c] @ ax.T
                     for c in range(image.shape[2])], axis=2)


def png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def write_png(path, pixels, bits):
    """Writes an (h, w) gray or (h, w, 3) RGB array of integers, 8 or 16
    bits, choosing each row's filter by the usual smallest-sum heuristic."""
    pixels = np.asarray(pixels)
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    color_type = {1: 0, 3: 2}[channels]
    dtype = ">u2" if bits == 16 else "u1"
    raw = pixels.astype(dtype).reshape(height, -1).view(np.uint8)
    raw = raw.reshape(height, -1).astype(np.int32)
    bpp = channels * bits // 8
    out = bytearray()
    previous = np.zeros(raw.shape[1], np.int32)
    for row in raw:
        left = np.concatenate([np.zeros(bpp, np.int32), row[:-bpp]])
        up_left = np.concatenate([np.zeros(bpp, np.int32), previous[:-bpp]])
        candidates = [row, row - left, row - previous,
                      row - (left + previous) // 2,
                      row - paeth(left, previous, up_left)]
        candidates = [c % 256 for c in candidates]
        costs = [np.sum(np.where(c < 128, c, 256 - c)) for c in candidates]
        best = int(np.argmin(costs))
        out.append(best)
        out += candidates[best].astype(np.uint8).tobytes()
        previous = row
    header = struct.pack(">IIBBBBB", width, height, bits, color_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(png_chunk(b"IHDR", header))
        f.write(png_chunk(b"IDAT", zlib.compress(bytes(out), 9)))
        f.write(png_chunk(b"IEND", b""))


def to_8bit(image):
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def fill_invalid_disparity(disp):
    """Middlebury marks pixels without ground truth as inf. Each one takes
    the smaller (farther) of the nearest valid disparities to its left and
    right on the same row: unknown pixels are mostly occlusions, which belong
    to the background."""
    disp = disp.astype(np.float64)
    valid = np.isfinite(disp)
    out = disp.copy()
    for y in range(disp.shape[0]):
        cols = np.flatnonzero(valid[y])
        if cols.size == 0:
            raise SystemExit("row %d has no valid disparity" % y)
        for x in np.flatnonzero(~valid[y]):
            k = np.searchsorted(cols, x)
            neighbours = []
            if k > 0:
                neighbours.append(disp[y, cols[k - 1]])
            if k < cols.size:
                neighbours.append(disp[y, cols[k]])
            out[y, x] = min(neighbours)
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "."

    # Astronaut (512x512): the 288x288 square holding the face and helmet
    # ring, averaged 3x3 down to 96x96.
    astronaut = skimage.data.astronaut().astype(np.float64)
    crop = astronaut[0:288, 80:368]
    write_png(outdir + "/astronaut.png", to_8bit(area_resize(crop, 96, 96)), 8)

    # Coffee (400x600): a 384x512 crop around cup and saucer, 4x4 down to
    # 96x128 (height x width).
    coffee = skimage.data.coffee().astype(np.float64)
    crop = coffee[8:392, 40:552]
    write_png(outdir + "/coffee.png", to_8bit(area_resize(crop, 96, 128)), 8)

    # Motorcycle stereo pair (500x741): the left image and its ground-truth
    # disparity, both area-resampled to 160x108 (the same aspect). Disparity
    # is scaled by the resampling factor (it is measured in pixels), then
    # normalised so the nearest point is 1 and the farthest 0 (near =
    # bright), and written as 16-bit gray.
    left, _right, disp = skimage.data.stereo_motorcycle()
    width, height = 160, 108
    small = area_resize(left.astype(np.float64), height, width)
    write_png(outdir + "/motorcycle.png", to_8bit(small), 8)
    disp = area_resize(fill_invalid_disparity(disp), height, width)
    disp *= width / left.shape[1]
    near = (disp - disp.min()) / (disp.max() - disp.min())
    write_png(outdir + "/motorcycle-disparity.png",
              np.rint(near * 65535).astype(np.uint16), 16)
    print("disparity (pixels at %dx%d): %.3f .. %.3f"
          % (width, height, disp.min(), disp.max()))


if __name__ == "__main__":
    main()
