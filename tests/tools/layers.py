#!/usr/bin/env python3
"""layers.py SRC BUILD: how the code's modules depend on each other.

A module is a source file and its header (lib/run/runner.c +
lib/run/runner.h), and its private header if it has one
(sandbox/sandbox_int.h). A module's layer is its folder, lowest first:

  lib/base      knows no fault, drill, scenario or run: util, units, ynode,
                procs, cgroups, netlink tc, hosts, TLS, pings, histograms
  lib/io        talks to services: the client loop, probes, load engines,
                burst, the fault proxy, exit watching, writes, matching
  lib/fault     the interface fault kinds are written against; services
  drills        the fault kinds, and their table
  lib/dispatch  the kinds reached through the table
  lib/model     the scenario, expectations, plan, vars, ad-hoc faults
  lib/check     preflight, revert (journal replay), the journal
  lib/run       the run context, timeline, phases, fault stack, evaluation,
                guardrails, runner
  reports       reports/
  sandbox       sandbox/
  cmd           cmd/

Two graphs are read off the code itself:
  includes  a module's .c and .h include another's header ("..." includes)
  calls     a module's object file uses a symbol another's defines (nm)
An edge to a higher layer is a call (or include) "back up"; a circle is a
set of two or more modules that reach each other.

Names: every exported symbol's prefix (its first word, up to "_") has one
owner, a module family: a module, the files that share its private header
(expect_int.h: expect_*.c) or its stem (load_core.c is load's), cmd/ (one
table) or reports/ (one header). lib/base/util (x*, err_*, json_*, ...)
and lib/base/ynode (y*) are the documented exceptions; a kind in drills/
exports only its fault_<kind>. A prefix with two owners is a clash.
Module file names must not repeat across lib/ folders and drills/.

Owners: struct run (lib/run/run_int.h) is in parts, each written by the
module its comment names ("/* stack.c: ..."); an assignment to a part's
field anywhere else in lib/run is printed.

Prints the counts, each offending edge or name, and the functions longer
than 80 lines. Exit 0: the numbers are for people (and the closing note) —
unless --check is given after BUILD: then any of them not zero exits 1
(make test runs it so).
"""
import os
import re
import subprocess
import sys
from collections import defaultdict

SRC = BUILD = None
LAYERS = ["lib/base", "lib/io", "lib/fault", "drills", "lib/dispatch",
          "lib/model", "lib/check", "lib/run", "reports", "sandbox", "cmd"]


def layer(mod):
    return os.path.dirname(mod)


def modules():
    mods = {}
    for d in LAYERS:
        for f in sorted(os.listdir(os.path.join(SRC, d))):
            if f.endswith((".c", ".h")):
                mods.setdefault(d + "/" + f[:-2], []).append(f)
    stray = [d + "/" + f for d in ("lib",) for f in os.listdir(
        os.path.join(SRC, d)) if not os.path.isdir(os.path.join(SRC, d, f))]
    if stray:
        sys.exit("layers: outside any layer's folder: " + " ".join(stray))
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
        d = layer(m)
        for f in files:
            text = open(os.path.join(SRC, d, f), errors="replace").read()
            for inc in re.findall(r'#include\s+"([^"]+)"', text):
                path = os.path.normpath(os.path.join(d, inc))
                target = path[:-2]
                if target in mods and target != m:
                    g[m].add(target)
    return g


def nm(mod):
    """The module's object file's symbols, a list of nm's split lines
    (empty when it is not built)."""
    obj = os.path.join(BUILD, mod + ".o")
    if not os.path.exists(obj):
        return []
    out = subprocess.run(["nm", obj], capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()]


def call_graph(mods):
    defined, used = {}, defaultdict(set)
    for m in mods:
        for parts in nm(m):
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


def family(mod, mods, privates):
    """The module family a module's names belong to (see the top)."""
    d, name = layer(mod), os.path.basename(mod)
    if d in ("cmd", "reports"):
        return d
    if mod in privates:
        return privates[mod]
    stem = name.split("_")[0]
    if stem != name and d + "/" + stem in mods:
        return d + "/" + stem
    return mod


def names(mods):
    """Prefixes with more than one owner, and repeated file names."""
    privates = {}
    for m, files in mods.items():
        d = layer(m)
        for f in files:
            if not f.endswith(".c"):
                continue
            text = open(os.path.join(SRC, d, f), errors="replace").read()
            for inc in re.findall(r'#include\s+"(\w+_int)\.h"', text):
                privates.setdefault(m, d + "/" + inc[:-len("_int")])
    owners = defaultdict(set)
    for m in mods:
        if m in ("lib/base/util", "lib/base/ynode"):
            continue
        for parts in nm(m):
            if len(parts) != 3 or parts[1] not in "TDBR" or parts[2] == "main":
                continue
            sym = parts[2]
            if layer(m) == "drills" and parts[1] in "DR" and \
                    sym.startswith("fault_"):
                continue
            owners[sym.split("_")[0]].add((family(m, mods, privates), sym))
    bad = []
    for p in sorted(owners):
        fams = sorted(set(f for f, _ in owners[p]))
        if len(fams) > 1:
            bad.append("  prefix %s_ in %s" % (p, ", ".join(
                "%s (%s)" % (f, " ".join(sorted(s for g, s in owners[p]
                                              if g == f))[:60])
                for f in fams)))
    seen = defaultdict(list)
    for m in mods:
        if layer(m) != "cmd":
            seen[os.path.basename(m)].append(m)
    for n in sorted(seen):
        if len(seen[n]) > 1:
            bad.append("  file name %s in %s" % (n, ", ".join(seen[n])))
    print("names: %d prefix(es), %d with two owners or file names repeated"
          % (len(owners), len(bad)))
    for b in bad:
        print(b)
    return len(bad)


def owners():
    """struct run's parts (lib/run/run_int.h) each have one writer: the
    module(s) its comment names. Every assignment to c->PART.field (or
    c.PART.field) elsewhere is printed."""
    hdr = open(os.path.join(SRC, "lib/run/run_int.h")).read()
    own = {}
    for m in re.finditer(r"/\* ([\w.]+\.c(?: and [\w.]+\.c)?): [^\n]*\n"
                         r"(?:[^\n]*\n)*?struct run_(\w+) \{", hdr):
        own[m.group(2)] = set(m.group(1).split(" and "))
    bad = []
    wr = re.compile(r"\bc(?:->|\.)(%s)\.(\w+)(?:\[[^\]]*\])*\s*"
                    r"(?:=(?!=)|\+=|-=|\+\+|--)|(?:\+\+|--)c(?:->|\.)(%s)\.(\w+)"
                    r"|atomic_store\(&c->(%s)\.(\w+)" %
                    (("|".join(own),) * 3))
    for f in sorted(os.listdir(os.path.join(SRC, "lib/run"))):
        if not f.endswith(".c"):
            continue
        text = open(os.path.join(SRC, "lib/run", f)).read()
        for m in wr.finditer(text):
            part = m.group(1) or m.group(3) or m.group(5)
            field = m.group(2) or m.group(4) or m.group(6)
            if f not in own[part]:
                line = text.count("\n", 0, m.start()) + 1
                bad.append("  lib/run/%s:%d writes %s.%s (%s's)" % (
                    f, line, part, field, " and ".join(sorted(own[part]))))
    print("run parts: %d, %d written outside their owner" % (len(own),
                                                            len(bad)))
    for b in bad:
        print(b)
    return len(bad) + (0 if own else 1)


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
        d = layer(m)
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
    bad += names(mods)
    bad += owners()
    big = [(sum(1 for _ in open(os.path.join(SRC, layer(m), f))),
            layer(m) + "/" + f) for m, fs in mods.items() for f in fs]
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
