#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Which kmod/*.c file calls which: the module's files must depend on each
other one way only.  A file depends on another when it names a function,
variable or static call that the other defines for the rest of the module
(not static).  Comments and strings do not count.  The KUnit tests, which
reach into every file and are reached by none, are left out.

Prints each file's dependencies in an order where every file comes after
those it depends on, or the files of each loop, and exits 1 if there is one.
"""
import os
import re
import sys

KMOD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "kmod")
SKIP = {"table_kunit.c"}

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\])*\"", re.S)
# A definition at file scope: a line at column 0 that is not static and
# names a portres_ identifier followed by "(" (a function) or by an
# initializer or ";" (a variable); or a static call's definition.
FUNC = re.compile(r"^(?!static\b)[a-z][^\n;(]*?\b(portres_\w+)\(", re.M)
VAR = re.compile(r"^(?!static\b|extern\b)[a-z][^\n(]*?\b(portres_\w+)"
                 r"(?:\s+__\w+)?\s*(?:=|;)", re.M)
SCALL = re.compile(r"^DEFINE_STATIC_CALL(?:_NULL)?\((\w+)", re.M)
IDENT = re.compile(r"\b[A-Za-z_]\w*\b")


def code(path):
    with open(path, encoding="utf-8") as f:
        return COMMENT.sub(" ", f.read())


files = sorted(f for f in os.listdir(KMOD)
               if f.endswith(".c") and f not in SKIP)
text = {f: code(os.path.join(KMOD, f)) for f in files}
owner = {}
for f in files:
    body = text[f]
    # A function's body starts at "{" on a line of its own: skip prototypes.
    defs = {m.group(1) for m in FUNC.finditer(body)
            if re.match(r"[^;{]*\)\s*\{", body[m.end():])}
    defs |= set(VAR.findall(body)) | set(SCALL.findall(body))
    for name in defs:
        if name in owner and owner[name] != f:
            sys.exit(f"kmod_deps: {name} defined in {owner[name]} and {f}")
        owner[name] = f

deps = {f: set() for f in files}
for f in files:
    for name in set(IDENT.findall(text[f])):
        if name in owner and owner[name] != f:
            deps[f].add(owner[name])

# Depth-first: an order with every file after its dependencies, or a loop.
order, state, loops = [], {}, []


def visit(f, path):
    if state.get(f) == "done":
        return
    if state.get(f) == "open":
        loops.append(path[path.index(f):] + [f])
        return
    state[f] = "open"
    for d in sorted(deps[f]):
        visit(d, path + [f])
    state[f] = "done"
    order.append(f)


for f in files:
    visit(f, [])
for f in order:
    print(f"{f}: {' '.join(sorted(deps[f])) or '-'}")
both = sorted({tuple(sorted((a, b))) for a in files for b in deps[a]
               if a in deps[b]})
for a, b in both:
    print(f"kmod_deps: {a} and {b} depend on each other")
for loop in loops:
    print("kmod_deps: loop: " + " -> ".join(loop))
sys.exit(1 if loops or both else 0)
