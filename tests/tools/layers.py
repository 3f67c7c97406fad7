#!/usr/bin/env python3
"""layers.py SRC BUILD: how the code's modules depend on each other.

A module is a source file and its header (lib/runner.c + lib/runner.h),
and its private header if it has one (sandbox/sandbox_int.h). Two
graphs are read off the code itself:
  includes  a module's .c and .h include another's header ("..." includes)
  calls     a module's object file uses a symbol another's defines (nm)
and checked against the layers the code is meant to have, lowest first:

  base      lib/ modules that know no fault, drill, scenario or run
  fault     lib/fault (the interface kinds are written against)
  kinds     drills/ (each kind, and the table)
  dispatch  lib/dispatch (the kinds reached through the table)
  model     lib/ scenario, expect, plan, adhoc, vars, pairing
  check     lib/ preflight, guard, journal
  runlow    lib/ the run's state (runctx), timeline, phases
  runmid    lib/ faults, evaluate (and eval_process, eval_writes)
  runtop    lib/ runner
  reports   reports/
  sandbox   sandbox/
  cmd       cmd/

An edge to a higher layer is a call (or include) "back up"; a circle is a
set of two or more modules that reach each other. Prints both counts, each
offending edge, and the functions longer than 80 lines. Exit 0: the
numbers are for people (and the closing note) — unless --check is given
after BUILD: then any of them not zero exits 1 (make test runs it so).
"""
import os
import re
import subprocess
import sys
from collections import defaultdict

SRC = BUILD = None
LAYERS = ["base", "fault", "kinds", "dispatch", "model", "check", "runlow",
          "runmid", "runtop", "reports", "sandbox", "cmd"]
NAMED = {
    "fault": "fault", "dispatch": "dispatch",
    "scenario": "model", "expect": "model", "expect_text": "model", "plan": "model",
    "adhoc": "model", "vars": "model", "pairing": "model",
    "preflight": "check", "guard": "check", "journal": "check",
    "runctx": "runlow", "run_int": "runlow", "timeline": "runlow",
    "phases": "runlow",
    "guardrail": "runmid", "scen_guard": "model", 
    "scen_names": "model",
    "expect_abort": "model", "expect_mon": "model", "expect_parts": "model",
    "faults": "runmid", "evaluate": "runmid", "eval_process": "runmid",
    "eval_writes": "runmid", "eval_int": "runmid",
    "runner": "runtop",
}


def layer(mod):
    d, name = mod.split("/")
    if d == "cmd":
        return "cmd"
    if d == "reports":
        return "reports"
    if d == "sandbox":
        return "sandbox"
    if d == "drills":
        # before the split, drills/fault was the interface and dispatch
        return "dispatch" if name == "fault" else "kinds"
    return NAMED.get(name, "base")


def modules():
    mods = {}
    for d in ("lib", "drills", "reports", "sandbox", "cmd"):
        for f in sorted(os.listdir(os.path.join(SRC, d))):
            if f.endswith((".c", ".h")):
                mods.setdefault(d + "/" + f[:-2], []).append(f)
    # a module's private header (sandbox_int.h beside sandbox.c) is part
    # of that module: it holds the types its own files share
    for m in [m for m in mods if m.endswith("_int")]:
        owner = m[:-len("_int")]
        if owner in mods:
            mods[owner] += mods.pop(m)
    return mods


def include_graph(mods):
    g = defaultdict(set)
    for m, files in mods.items():
        d = m.split("/")[0]
        for f in files:
            text = open(os.path.join(SRC, d, f), errors="replace").read()
            for inc in re.findall(r'#include\s+"([^"]+)"', text):
                path = os.path.normpath(os.path.join(d, inc))
                target = path[:-2]
                if target in mods and target != m:
                    g[m].add(target)
    return g


def call_graph(mods):
    defined, used = {}, defaultdict(set)
    for m in mods:
        obj = os.path.join(BUILD, m + ".o")
        if not os.path.exists(obj):
            continue
        out = subprocess.run(["nm", obj], capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDBR":
                defined[parts[2]] = m
            elif len(parts) == 2 and parts[0] == "U":
                used[m].add(parts[1])
    g = defaultdict(set)
    for m, syms in used.items():
        for s in syms:
            t = defined.get(s)
            if t is not None and t != m:
                g[m].add(t)
    return g


def sccs(g, nodes):
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            visit(v)
    return out


def report(name, g, mods):
    """Print the graph's counts; how many edges up and circles it has."""
    up = [(a, b) for a in sorted(g) for b in sorted(g[a])
          if LAYERS.index(layer(b)) > LAYERS.index(layer(a))]
    # cmd/'s table and its entries reach each other by design (tmux's
    # cmd.c): circles are counted below it
    circles = sccs(g, sorted(m for m in mods if not m.startswith("cmd/")))
    print("%s: %d edges, %d back up a layer, %d circle(s)" %
          (name, sum(len(v) for v in g.values()), len(up), len(circles)))
    for a, b in up:
        print("  up  %s (%s) -> %s (%s)" % (a, layer(a), b, layer(b)))
    for c in circles:
        print("  circle  " + " <-> ".join(c))
    return len(up) + len(circles)


def long_functions(mods, limit=80):
    found = []
    for m, files in mods.items():
        d = m.split("/")[0]
        for f in files:
            if not f.endswith(".c"):
                continue
            lines = open(os.path.join(SRC, d, f), errors="replace").read() \
                .split("\n")
            start = name = None
            for i, l in enumerate(lines):
                if l == "{" and i > 0:
                    start = i
                    # the name is on the line before, or a line or two up
                    for k in range(i - 1, max(i - 4, -1), -1):
                        mm = re.match(r"^(\w+)\(", lines[k])
                        if mm:
                            name = mm.group(1)
                            break
                elif l == "}" and start is not None:
                    n = i - start + 1
                    if n > limit:
                        found.append((n, "%s/%s:%s" % (d, f, name)))
                    start = name = None
    return sorted(found, reverse=True)


def main():
    global SRC, BUILD
    SRC, BUILD = sys.argv[1], sys.argv[2]
    mods = modules()
    bad = report("includes", include_graph(mods), mods)
    bad += report("calls", call_graph(mods), mods)
    big = [(sum(1 for _ in open(os.path.join(SRC, m.split("/")[0], f))),
            m.split("/")[0] + "/" + f) for m, fs in mods.items() for f in fs]
    print("files over 800 lines: %d" % sum(1 for n, _ in big if n > 800))
    for n, f in sorted(big, reverse=True):
        if n > 800:
            print("  %5d  %s" % (n, f))
    lf = long_functions(mods)
    print("functions over 80 lines: %d" % len(lf))
    for n, f in lf:
        print("  %4d  %s" % (n, f))
    bad += sum(1 for n, _ in big if n > 800) + len(lf)
    if "--check" in sys.argv[3:] and bad:
        print("layers: %d thing(s) above to fix" % bad)
        sys.exit(1)


if __name__ == "__main__":
    main()
