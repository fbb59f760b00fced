#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Which kmod/*.c file uses which, read from the includes: the module's
files must depend on each other one way only.

Each X.c has its header X.h, declaring what X.c offers the rest of the
module (a file that offers nothing, or only the policy of hooks declared in
hooks.h, has none); headers without a .c of the same name (portres.h,
compat.h, fastpath.h, hooks.h's policy part) are shared.  A .c depends on
Y.c when it includes Y.h, directly or through another header.  Checked:

  - the files in kmod/portres.h's list are the .c files, and each includes
    the headers of only those listed before it: no loop;
  - a .c that names what a header declares includes that header itself
    (so the includes are the whole graph), and X.c includes X.h;
  - what a .c defines for the rest of the module (not static) is declared
    in its own header (the hooks' policy: in hooks.h, from hooks.def).

Comments and strings do not count.  The KUnit tests (table_kunit.c), which
reach into every file and are reached by none, are left out.  Prints each
file's dependencies in the listed order, and what is wrong; exits 1 if
anything is.
"""
import os
import re
import sys

KMOD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "kmod")
SKIP = {"table_kunit.c"}

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\])*\"", re.S)
INCLUDE = re.compile(r'^#include "([\w.]+)"', re.M)
IDENT = re.compile(r"\b[A-Za-z_]\w*\b")
# What a header declares: functions (prototypes and inline ones),
# variables, types, enum constants, macros and static calls.
DECLS = [
    re.compile(r"^[a-z][^\n;(]*?\b(portres_\w+)\(", re.M),
    re.compile(r"^extern\b[^\n;(]*?\b(portres_\w+)", re.M),
    re.compile(r"^(?:struct|enum) (portres_\w+) \{", re.M),
    re.compile(r"^\t(PORTRES_\w+)(?: = [^,\n]*)?,$", re.M),
    re.compile(r"^#define (\w+)", re.M),
    re.compile(r"^DECLARE_STATIC_CALL\((\w+)", re.M),
    re.compile(r"^DECLARE_PER_CPU\(\w+, (\w+)", re.M),
]
# A definition at file scope: a line at column 0 that is not static and
# names a portres_ identifier followed by "(" (a function) or by an
# initializer or ";" (a variable); or a static call's or per-CPU variable's.
FUNC = re.compile(r"^(?!static\b)[a-z][^\n;(]*?\b(portres_\w+)\(", re.M)
VAR = re.compile(r"^(?!static\b|extern\b)[a-z][^\n(]*?\b(portres_\w+)"
                 r"(?:\s+__\w+)?\s*(?:=|;)", re.M)
SDEF = re.compile(r"^DEFINE_STATIC_CALL(?:_NULL)?\((\w+)|"
                  r"^DEFINE_PER_CPU\(\w+, (\w+)", re.M)


def read(name):
    with open(os.path.join(KMOD, name), encoding="utf-8") as f:
        return f.read()


def code(name):
    return COMMENT.sub(" ", read(name))


names = os.listdir(KMOD)
files = sorted(f for f in names if f.endswith(".c") and f not in SKIP)
headers = sorted(f for f in names if f.endswith(".h"))
raw = {f: read(f) for f in files + headers}
text = {f: code(f) for f in files + headers}
includes = {f: set(INCLUDE.findall(raw[f])) for f in files + headers}
errors = []

declared = {}
for h in headers:
    # Macros only as names of their own: not a header's include guard.
    declared[h] = {n for r in DECLS for n in r.findall(text[h])
                   if not n.startswith("_")}
# hooks.h makes each hook's names from hooks.def.
for m in re.finditer(r"^PORTRES_HOOK\((\w+), *\w+, *\w+, *\d, *(\w+),",
                     read("hooks.def"), re.M):
    name, kind = m.groups()
    if kind.startswith("HOT"):
        declared["hooks.h"] |= {f"portres_{name}_{s}" for s in
                                ("stub", "redirect", "wrap", "hot")}
    if kind != "COLD":
        declared["hooks.h"].add(f"portres_orig_{name}")
owner = {}
for h in headers:
    for n in declared[h]:
        owner.setdefault(n, set()).add(h)


def own(f):
    h = f[:-2] + ".h"
    return h if h in headers else None


def reach(f, seen=None):
    """The headers f includes, directly or through headers."""
    seen = set() if seen is None else seen
    for h in includes.get(f, ()):
        if h in headers and h not in seen:
            seen.add(h)
            reach(h, seen)
    return seen


deps = {}
for f in files:
    deps[f] = {h[:-2] + ".c" for h in reach(f)
               if h[:-2] + ".c" in files and h[:-2] + ".c" != f}

# The listed order.
listed = re.findall(r"^ \*   (\w+\.c) ", raw["portres.h"], re.M)
for f in files:
    if f not in listed:
        errors.append(f"{f} is not in kmod/portres.h's list of files")
for f in listed:
    if f not in files:
        errors.append(f"kmod/portres.h lists {f}, which is not there")
pos = {f: i for i, f in enumerate(listed)}
for f in listed:
    if f not in files:
        continue
    for d in sorted(deps[f]):
        if d in pos and pos[d] > pos[f]:
            errors.append(f"{f} includes the header of {d}, listed after it")

# Each .c includes what it names, and its own header.
for f in files:
    used = set(IDENT.findall(text[f]))
    mine = own(f)
    if mine and mine not in includes[f]:
        errors.append(f"{f} does not include {mine}")
    for n in sorted(used):
        hs = owner.get(n, set()) - {mine}
        if hs and not hs & includes[f] and not (mine and n in declared[mine]):
            errors.append(f"{f} names {n} but includes none of "
                          f"{', '.join(sorted(hs))}")

# Each .c declares what it defines for the others in its own header.
for f in files:
    body = text[f]
    defs = {m.group(1) for m in FUNC.finditer(body)
            if re.match(r"[^;{]*\)\s*\{", body[m.end():])}
    defs |= set(VAR.findall(body))
    defs |= {a or b for a, b in SDEF.findall(body)}
    mine = own(f)
    # Only what another file names: a static call used by its file alone
    # cannot be static, and needs no declaration.
    others = set()
    for g in files:
        if g != f:
            others |= set(IDENT.findall(text[g]))
    for n in sorted(defs & others):
        if not (mine and n in declared[mine]) and n not in declared["hooks.h"]:
            errors.append(f"{f} defines {n}, which "
                          f"{mine or f[:-2] + '.h (none)'} does not declare")

# Depth-first: the loops, if any.
state, loops = {}, []


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


for f in files:
    visit(f, [])
for loop in loops:
    errors.append("loop: " + " -> ".join(loop))

for f in [f for f in listed if f in files] + [f for f in files
                                                if f not in listed]:
    print(f"{f}: {' '.join(sorted(deps[f], key=lambda d: pos.get(d, 99))) or '-'}")
for e in errors:
    print("kmod_deps: " + e)
sys.exit(1 if errors else 0)
