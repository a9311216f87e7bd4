#!/usr/bin/python3
"""The per-frame map attached from Python (GI), exactly as docs/ELEMENT.md
shows: a GstVideoRegionOfInterestMeta of type "DiskBlurMapMeta" whose
parameter structure holds the map. Output is TAP.

A strength map of 1 on the left half and 0 on the right half: the right half
must come out bit-identical to the input (radius 0 there), the left half
blurred. Environment: GST_PLUGIN_PATH (the build's gst/)."""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
gi.require_version("GstApp", "1.0")
from gi.repository import Gst, GstApp, GstVideo  # noqa: E402

W, H = 32, 24


def check(number, ok, name):
    print(("ok %d - %s" if ok else "not ok %d - %s") % (number, name))
    return ok


def attach_map(buf, width, height, values):
    """The documented Python snippet."""
    roi = GstVideo.buffer_add_video_region_of_interest_meta(
        buf, "DiskBlurMapMeta", 0, 0, W, H)
    s = Gst.Structure.new_empty("DiskBlurMapMeta")
    s.set_value("strength", Gst.Buffer.new_wrapped(bytes(values)))
    s.set_value("width", width)
    s.set_value("height", height)
    s.set_value("format", "GRAY8")
    roi.add_param(s)


def run(frame, with_map):
    pipeline = Gst.parse_launch(
        "appsrc name=src caps=video/x-raw,format=RGB,width=%d,height=%d,"
        "framerate=30/1 ! diskblur mode=map radius=4 ! "
        "appsink name=sink sync=false" % (W, H))
    src = pipeline.get_by_name("src")
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)
    buf = Gst.Buffer.new_wrapped(bytes(frame))
    if with_map:
        attach_map(buf, W, H, [255 if x < W // 2 else 0
                               for y in range(H) for x in range(W)])
    src.emit("push-buffer", buf)
    src.emit("end-of-stream")
    sample = sink.emit("pull-sample")
    pipeline.set_state(Gst.State.NULL)
    if sample is None:
        return None
    out = sample.get_buffer()
    ok, info = out.map(Gst.MapFlags.READ)
    data = bytes(info.data)
    out.unmap(info)
    return data


def main():
    Gst.init(None)
    print("1..4")
    ok = check(1, Gst.ElementFactory.make("diskblur") is not None,
               "diskblur loads")
    stride = (W * 3 + 3) // 4 * 4
    frame = bytearray(stride * H)
    for y in range(H):
        for x in range(W):
            for c in range(3):
                frame[y * stride + x * 3 + c] = (x * 37 + y * 91 + c * 50) % 256
    out = run(frame, True)
    ok &= check(2, out is not None and len(out) == len(frame), "one frame out")
    if out is None:
        return 1
    right_same = all(out[y * stride + x * 3 + c] == frame[y * stride + x * 3 + c]
                     for y in range(H) for x in range(W // 2 + 2, W)
                     for c in range(3))
    left_changed = sum(out[y * stride + x * 3] != frame[y * stride + x * 3]
                       for y in range(H) for x in range(W // 2 - 2))
    ok &= check(3, right_same, "strength 0: pixels unchanged")
    ok &= check(4, left_changed > (W // 2 - 2) * H // 2,
                "strength 1: pixels blurred (%d changed)" % left_changed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
