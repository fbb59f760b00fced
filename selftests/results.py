#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The results of a guest, for check.sh: the one parser of the one protocol.

Everything a guest reports is TAP (KTAP): the kselftest harness tests, our
own programs, the guest scripts' own checks (selftests/guest/tap.sh) and,
in the kernel log, KUnit's suites.

    results.py [--kver KVER] CONSOLE_LOG
        The TAP streams printed on a guest's console, one after the other:
        each begins with its "TAP version" line or its plan, or, with its
        plan at the end, with its first result.  Prints the results and
        the diagnostics worth reading, then the counts.
    results.py --kunit CONSOLE_LOG
        KUnit's KTAP, from the kernel log the guest prints between
        "portres-guest: dmesg begin" and "end", after the module loaded
        (KUnit runs the module's suites as it loads): suites hold test
        cases, which may hold parameters; the leaves are counted.

The last line is "results: PASSED FAILED".  A skipped test fails (the
guest has the module loaded, so every test must run), unless it says it
needs a later Linux than the guest's ("needs Linux 6.x"): those count
neither way, and are listed.  A stream whose plan does not match its
results counts one failure more ("every planned test ran"); KUnit's
skipped cases count neither way, as kunit.py parse counts them.
"""
import argparse
import re
import sys

RESULT = re.compile(r'^([ \t]*)(ok|not ok) ([0-9]+)\b ?(.*)$')
PLAN = re.compile(r'^([ \t]*)1\.\.([0-9]+)$')
VERSION = re.compile(r'^( *)K?TAP version [0-9]+$')
SKIP = re.compile(r'#\s*SKIP\b', re.IGNORECASE)
TOO_OLD = re.compile(r'#\s*SKIP\b.*needs? Linux [0-9]', re.IGNORECASE)
# The diagnostics worth reading among the lines a harness test prints.
SHOWN = re.compile(r'^# (PASSED|FAILED|Totals)| us, with |^#  (FAIL|SKIP)'
                   r'|^# [a-z_0-9.]+: Test (failed|terminated)'
                   r'|^# .*(Expected|FAIL)')
HIDDEN = re.compile(r'^#  *OK')


class Stream:
    """One TAP document: its plan, where it stands, and its results."""

    def __init__(self):
        self.plan = None
        self.trailing = False
        self.results = []	# (ok, the line)

    def closed(self):
        return self.trailing or (self.plan is not None and
                                 len(self.results) >= self.plan)


def console(lines, kver):
    """The top-level TAP streams of a console log."""
    streams, cur, shown = [], None, []
    for line in lines:
        line = line.rstrip('\n')
        if line == 'portres-guest: dmesg begin':
            break
        if VERSION.match(line) and not line.startswith(' '):
            cur = Stream()
            streams.append(cur)
            continue
        m = PLAN.match(line)
        if m and not m.group(1):
            n = int(m.group(2))
            if cur is not None and cur.plan is None and cur.results:
                cur.plan, cur.trailing = n, True
            elif cur is not None and cur.plan is None and not cur.trailing:
                cur.plan = n
            else:
                cur = Stream()
                cur.plan = n
                streams.append(cur)
            continue
        m = RESULT.match(line)
        if m and not m.group(1):
            if cur is None or cur.closed():
                cur = Stream()
                streams.append(cur)
            cur.results.append((m.group(2) == 'ok', line))
            shown.append(line)
            continue
        if SHOWN.search(line) and not HIDDEN.match(line):
            shown.append(line)

    passed = failed = 0
    too_old = []
    for s in streams:
        for ok, line in s.results:
            if ok and TOO_OLD.search(line):
                too_old.append(line)
            elif ok and not SKIP.search(line):
                passed += 1
            else:
                failed += 1
    for line in shown:
        print(line)
    if too_old:
        print(f'skipped on {kver}, a feature of a later kernel: {len(too_old)}')
        for line in too_old:
            print(line)
    planned = sum(s.plan or 0 for s in streams)
    ran = sum(len(s.results) for s in streams)
    short = [s for s in streams if s.plan != len(s.results)]
    return passed, failed, short, planned, ran


def kernel_log(lines):
    """KUnit's KTAP in the kernel log, after the module loaded."""
    out, inside, loaded = [], False, False
    for line in lines:
        line = line.rstrip('\n')
        if line == 'portres-guest: dmesg begin':
            inside = True
            continue
        if line == 'portres-guest: dmesg end':
            break
        if not inside:
            continue
        loaded = loaded or 'portres: loaded' in line
        line = re.sub(r'^\[ *[0-9.]*\] ', '', line)
        if loaded and not line.startswith('portres'):
            out.append(line)
    return out


def ktap_leaves(lines):
    """The leaves of a nested KTAP document: (ok, skipped, name) each, and
    the plans that do not match their results (indent, plan, results)."""
    leaves, bad = [], []
    # For each indent: the results at it since its plan, and whether the
    # last result at the next indent belonged to a test here.
    plans, counts, pending = {}, {}, {}
    for line in lines:
        m = PLAN.match(line)
        if m:
            d = len(m.group(1))
            plans[d], counts[d] = int(m.group(2)), 0
            continue
        m = RESULT.match(line)
        if not m:
            continue
        d = len(m.group(1))
        counts[d] = counts.get(d, 0) + 1
        deeper = [k for k in pending if k > d]
        if deeper:	# this result closes a test that had subtests
            for k in deeper:
                if k in plans and plans[k] != counts.get(k, 0):
                    bad.append((k, plans[k], counts.get(k, 0)))
                plans.pop(k, None)
                counts.pop(k, None)
                pending.pop(k)
        else:
            rest = m.group(4)
            leaves.append((m.group(2) == 'ok', bool(SKIP.search(rest)),
                           rest))
        pending[d] = True
    for k in sorted(plans):
        if plans[k] != counts.get(k, 0):
            bad.append((k, plans[k], counts.get(k, 0)))
    return leaves, bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kunit', action='store_true')
    ap.add_argument('--kver', default='this kernel')
    ap.add_argument('--label', default='guest')
    ap.add_argument('log')
    args = ap.parse_args()
    with open(args.log, errors='replace') as f:
        lines = f.readlines()

    if args.kunit:
        leaves, bad = ktap_leaves(kernel_log(lines))
        passed = sum(1 for ok, skip, _ in leaves if ok and not skip)
        failed = [rest for ok, skip, rest in leaves if not ok]
        for rest in failed:
            print(f'not ok {rest}')
        for d, plan, ran in bad:
            print(f'KUnit: planned {plan} at indent {d}, ran {ran}')
        print(f'KUnit: {passed} test cases passed, {len(failed)} failed')
        print(f'results: {passed} {len(failed) + len(bad)}')
        return

    passed, failed, short, planned, ran = console(lines, args.kver)
    if short:
        print(f'FAIL: {args.label}: every planned test ran '
              f'(planned {planned}, ran {ran})')
        failed += 1
    print(f'results: {passed} {failed}')


if __name__ == '__main__':
    main()
