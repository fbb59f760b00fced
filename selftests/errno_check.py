#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The errno contract has one source: the "Errors of CALL:" blocks of
uapi/linux/portres.h (the kernel's, per ioctl, netlink command and socket
call) and of lib/portres.h (what the library adds).  This check fails when
a document lists another set of errnos for a call:

- Markdown (README.md, Documentation/*.md): every table whose header row
  begins "| call | errno |".  A row names its calls in the first cell
  (comma-separated, as the header names them; a parenthesis is a remark)
  and its errnos in the second.  For each call a document lists, the
  errnos of its rows must be the header's set for that call.  A row whose
  first cell's remark names libportres lists errnos the library adds
  (lib/portres.h); those must be among the library's for the call.
- Man pages (lib/*.3, tools/*.[58]) with an ERRORS section: each entry
  (".TP", then ".B ERRNO") names the functions that return that errno,
  and no other; for each function the errnos of the entries that name it
  must be the kernel's set for its call (without EFAULT: the library's
  argument structures are its own, always valid) plus the library's.

Usage: errno_check.py [ROOT]   (the source tree, by default this one's)
"""
import errno
import glob
import os
import re
import sys

ERRNOS = {n for n in dir(errno) if re.match(r"^E[A-Z0-9]+$", n)}
LIB_NOT_PASSED_ON = {"EFAULT"}
# libportres' functions, by the name of the call each makes.
LIB_CALLS = {
    "portres_version": "version",
    "portres_acquire": "acquire",
    "portres_associate": "associate",
    "portres_release": "release",
    "portres_persistent_create": "create",
    "portres_persistent_delete": "delete",
    "portres_persistent_lookup": "lookup",
}


def parse_header(path):
    """The "Errors of CALL, CALL (remark):" blocks of a C comment.
    Return: {call: {errno: [meaning lines]}}."""
    calls, head, current, problems = {}, None, None, []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        text = re.sub(r"^\s*/?\*+/?\s?", "", line)
        if head is not None:
            head += " " + text.strip()
            if not head.endswith(":"):
                continue
        elif re.match(r"^\s*\*\s*Errors of ", line):
            head = text.strip()
            if not head.endswith(":"):
                continue
        if head is not None:
            names = re.sub(r"\([^)]*\)", "", head[len("Errors of "):-1])
            current = [c.strip().lower() for c in names.split(",")]
            if not all(current):
                problems.append(f"{path}:{n}: an empty call name")
            head = None
            continue
        if current is None:
            continue
        m = re.match(r"^\s*\*\t(E[A-Z0-9]+(?:, E[A-Z0-9]+)*)\t+(\S.*)$", line)
        if m:
            for e in m.group(1).split(", "):
                if e not in ERRNOS:
                    problems.append(f"{path}:{n}: {e} is no errno")
                for c in current:
                    calls.setdefault(c, {}).setdefault(e, []).append(m.group(2))
            continue
        if re.match(r"^\s*\*\t\t", line):
            continue
        current = None
    return calls, problems


def errnos_in(text):
    return [e for e in re.findall(r"\bE[A-Z0-9]{2,}\b", text) if e in ERRNOS]


def check_markdown(path, kernel, library):
    problems, listed, libs = [], {}, {}
    in_table = False
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if re.match(r"^\|\s*call\s*\|\s*errno\s*\|", line):
            in_table = True
            continue
        if not in_table or not line.startswith("|"):
            in_table = False
            continue
        if set(line.strip()) <= set("|-: "):
            continue
        remark = " ".join(re.findall(r"\(([^)]*)\)", cells[0]))
        names = re.sub(r"\([^)]*\)", "", cells[0]).replace("`", "")
        found = errnos_in(cells[1])
        if not found:
            problems.append(f"{path}:{n}: a row with no errno")
        for c in (c.strip().lower() for c in names.split(",")):
            if c not in kernel:
                problems.append(f"{path}:{n}: unknown call '{c}' (uapi/linux/portres.h names: {', '.join(sorted(kernel))})")
                continue
            target = libs if "libportres" in remark else listed
            target.setdefault(c, set()).update(found)
    for c, got in sorted(listed.items()):
        want = set(kernel[c])
        if got != want:
            problems.append(f"{path}: {c}: lists {' '.join(sorted(got))}; uapi/linux/portres.h: {' '.join(sorted(want))}" + diff(got, want))
    for c, got in sorted(libs.items()):
        extra = got - set(library.get(c, {}))
        if extra:
            problems.append(f"{path}: {c} (libportres): {' '.join(sorted(extra))} not among the library's errnos of lib/portres.h")
    return problems, sorted(set(listed) | set(libs))


def diff(got, want):
    parts = []
    if want - got:
        parts.append("missing " + " ".join(sorted(want - got)))
    if got - want:
        parts.append("not the header's " + " ".join(sorted(got - want)))
    return " (" + "; ".join(parts) + ")"


def check_man(path, kernel, library):
    """The ERRORS section of a man page."""
    lines = open(path, encoding="utf-8").read().split("\n")
    try:
        first = next(i for i, l in enumerate(lines) if re.match(r'^\.SH "?ERRORS"?\s*$', l))
    except StopIteration:
        return [], []
    problems, per_fn, entry = [], {}, None
    i = first + 1
    while i < len(lines) and not lines[i].startswith(".SH"):
        line = lines[i]
        if line == ".TP" and i + 1 < len(lines):
            m = re.match(r"^\.B[RI]?\s+(E[A-Z0-9]+)\s*$", lines[i + 1])
            if m:
                entry = m.group(1)
                if entry not in ERRNOS:
                    problems.append(f"{path}:{i + 2}: {entry} is no errno")
                i += 2
                continue
            entry = None
        elif entry and not line.startswith('.\\"'):
            for fn in re.findall(r"\bportres_\w+", line):
                if fn not in LIB_CALLS:
                    problems.append(f"{path}:{i + 1}: {fn} is not a function of the errno contract")
                    continue
                per_fn.setdefault(fn, set()).add(entry)
        i += 1
    for fn, got in sorted(per_fn.items()):
        c = LIB_CALLS[fn]
        want = (set(kernel.get(c, {})) - LIB_NOT_PASSED_ON) | set(library.get(c, {}))
        if got != want:
            problems.append(f"{path}: {fn}(): lists {' '.join(sorted(got))}; uapi/linux/portres.h and lib/portres.h: {' '.join(sorted(want))}" + diff(got, want))
    if not per_fn:
        problems.append(f"{path}: an ERRORS section that names no function")
    return problems, sorted(per_fn)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    os.chdir(root)
    kernel, problems = parse_header("uapi/linux/portres.h")
    library, more = parse_header("lib/portres.h")
    problems += more
    if not kernel or not library:
        problems.append("no \"Errors of\" block found in uapi/linux/portres.h or lib/portres.h")
    for c in library:
        if c not in kernel:
            problems.append(f"lib/portres.h: unknown call '{c}'")
    checked = []
    docs = ["README.md"] + sorted(glob.glob("Documentation/*.md"))
    for path in docs:
        p, calls = check_markdown(path, kernel, library)
        problems += p
        if calls:
            checked.append(f"{path} ({len(calls)} calls)")
    mans = sorted(glob.glob("lib/*.[0-9]") + glob.glob("tools/*.[0-9]"))
    for path in mans:
        p, fns = check_man(path, kernel, library)
        problems += p
        if fns:
            checked.append(f"{path} ({len(fns)} functions)")
    for p in problems:
        print("errno_check:", p)
    print("errno_check: the header lists " + str(len(kernel)) + " calls; checked " +
          (", ".join(checked) if checked else "no document"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
