#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: writes the figures of build/bench-KVER.json into
Documentation/benchmarks.md, between the lines "<!-- bench: begin -->" and
"<!-- bench: end -->", one column per kernel.
Usage: bench-doc.py Documentation/benchmarks.md KVER=FILE...
"""
import json
import sys

BEGIN, END = "<!-- bench: begin -->", "<!-- bench: end -->"


def number(v):
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.4g}"


def value(f):
    """The figure, marked when it misses its target."""
    met = f.get("at_most", f.get("at_least", True))
    text = f"{number(f['value'])} {f['unit']}".replace(" x", "x")
    return text if met else text + " (missed)"


def target(f):
    if "target" not in f:
        return "reported"
    words = "at most" if "at_most" in f else "at least"
    return f"{words} {number(f['target'])} {f['unit']}".replace(" x", "x")


def main():
    doc, runs = sys.argv[1], sys.argv[2:]
    columns, names, dates, clocks = [], [], set(), set()
    for arg in runs:
        kver, path = arg.split("=", 1)
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        dates.add(data.get("date", "?"))
        clocks.add(data.get("clock", "ns"))
        figs = {f["name"]: f for f in data["figures"]}
        for f in data["figures"]:
            if f["name"] not in names:
                names.append(f["name"])
        columns.append((kver, figs))
    if not columns:
        sys.exit("bench-doc: no figures")

    clock = ("counting instructions (-icount shift=0,sleep=off)"
             if clocks == {"instructions"} else "wall-clock")
    lines = [BEGIN, "",
             "Written by `make bench` (" + ", ".join(sorted(dates)) +
             "), QEMU TCG, one vCPU, " + clock + ":", "",
             "| figure | target | " + " | ".join(k for k, _ in columns) + " |",
             "|---|---|" + "---|" * len(columns)]
    for name in names:
        first = next(figs[name] for _, figs in columns if name in figs)
        cells = [value(figs[name]) if name in figs else "-"
                 for _, figs in columns]
        lines.append(f"| {name} | {target(first)} | " + " | ".join(cells) + " |")
    lines += ["", END]

    with open(doc, encoding="utf-8") as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit(f"bench-doc: {doc} has no {BEGIN} ... {END}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(doc, "w", encoding="utf-8") as f:
        f.write(head + "\n".join(lines) + tail)
    print(f"bench-doc: {len(names)} figures of {len(columns)} kernels "
          f"written to {doc}")


main()
