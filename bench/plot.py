#!/usr/bin/python3
"""Quality against time for docs/BENCHMARKS.md, from disk-bench's CSV.

    python3 bench/plot.py docs/benchmarks/results.csv docs/benchmarks/quality-vs-time.png

One panel per group of cases (single kernels at radius about 16, at about 32,
and the spatially varying effects): x = milliseconds per frame (log), y =
image PSNR against dense, one bubble per (case, method, configuration), bubble
area proportional to the samples per pixel, as in the paper's figure.
Needs matplotlib (Debian: python3-matplotlib)."""
import csv
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {"DISK": "tab:red", "PT": "tab:blue", "low-rank": "tab:green",
           "FFT": "tab:purple", "dense": "black"}


def number(text):
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value


def radius_group(case):
    for token in case.split():
        if token.startswith("r") and token[1:].isdigit():
            return "radius 32" if int(token[1:]) > 20 else "radius 16"
    return "other"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plot.py RESULTS.csv OUT.png")
    rows = list(csv.DictReader(open(sys.argv[1], newline="")))
    groups = {}
    for row in rows:
        if row["section"] == "single":
            key = "single kernels, " + radius_group(row["case"])
        elif row["section"] == "varying":
            key = "spatially varying"
        else:
            continue
        groups.setdefault(key, []).append(row)
    names = sorted(groups)
    if not names:
        sys.exit("plot.py: no rows to plot")
    fig, axes = plt.subplots(1, len(names), figsize=(6 * len(names), 5),
                             squeeze=False)
    for ax, name in zip(axes[0], names):
        seen = set()
        for row in groups[name]:
            ms, psnr = number(row["ms"]), number(row["image_psnr"])
            method = row["method"]
            if math.isnan(ms) or method == "dense":
                continue
            if math.isnan(psnr):
                continue
            psnr = min(psnr, 80.0)
            samples = number(row["samples"])
            size = 20 if math.isnan(samples) else max(samples, 4) * 1.5
            colour = COLOURS.get(method, "tab:gray")
            ax.scatter(ms, psnr, s=size, c=colour, alpha=0.45,
                       edgecolors="k", linewidths=0.4,
                       label=None if method in seen else method)
            seen.add(method)
        dense = [number(r["ms"]) for r in groups[name]
                 if r["method"] == "dense"]
        dense = [d for d in dense if not math.isnan(d)]
        if dense:
            ax.axvline(sorted(dense)[len(dense) // 2], color="k", ls=":",
                       lw=1, label="dense (median)")
        ax.set_xscale("log")
        ax.set_xlabel("ms per frame (log)")
        ax.set_ylabel("image PSNR vs dense, dB (above 80 drawn at 80)")
        ax.set_title(name)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle("Quality vs time; bubble area = samples per pixel")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
