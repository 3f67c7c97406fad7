#!/usr/bin/env python3
"""walk.py SRC BUILD [FUNC]: follow one function (run_drill) down the code,
as someone reading it would, and count what that reading touches.

BUILD must hold objects compiled with -ffunction-sections at -O0 (nothing
inlined), e.g.  make BUILD=/tmp/bdfs OPT="-O0 -g" CFLAGS=-ffunction-sections
Each function's section's relocations name what it calls (the fault kinds
reached through the dispatch table are data, not calls: they are not
followed). The reader expands every call into the run's own layers (runlow,
runmid, runtop of layers.py) and notes, without opening them, the lower
modules called; a call into a higher layer than the caller's is a climb
back up.

Prints: the files touched, the calls followed, the climbs back up (each),
and how often each lower module is entered. Exit 0: the numbers are for
people (and the closing note).
"""
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import layers as L  # noqa: E402

SRC, BUILD = sys.argv[1], sys.argv[2]
START = sys.argv[3] if len(sys.argv) > 3 else "run_drill"
L.SRC, L.BUILD = SRC, BUILD
RUN = {"runlow", "runmid", "runtop"}


def objects():
    for d in ("lib", "drills", "reports", "sandbox"):
        p = os.path.join(BUILD, d)
        if not os.path.isdir(p):
            continue
        for f in sorted(os.listdir(p)):
            if f.endswith(".o"):
                yield d + "/" + f[:-2], os.path.join(p, f)


def graph():
    mods = L.modules()
    owner = {}
    for m, files in mods.items():
        for f in files:
            owner[m.split("/")[0] + "/" + f[:-2]] = m
    defined = {}          # global name -> module
    local = {}            # (module, name) for static functions
    calls = defaultdict(set)
    for stem, obj in objects():
        m = owner.get(stem, stem)
        out = subprocess.run(["nm", obj], capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            p = line.split()
            if len(p) == 3 and p[1] == "T":
                defined[p[2]] = m
            if len(p) == 3 and p[1] in "Tt":
                local[(m, p[2])] = m
    for stem, obj in objects():
        m = owner.get(stem, stem)
        out = subprocess.run(["objdump", "-r", obj], capture_output=True,
                             text=True).stdout
        cur = None
        for line in out.splitlines():
            h = re.match(r"RELOCATION RECORDS FOR \[\.text\.(\S+)\]", line)
            if h:
                cur = (m, h.group(1))
                continue
            if line.startswith("RELOCATION RECORDS"):
                cur = None
                continue
            if cur is None:
                continue
            r = re.match(r"\S+\s+R_X86_64_\S+\s+(\S+?)(?:[-+]0x[0-9a-f]+)?$",
                         line)
            if not r:
                continue
            sym = r.group(1)
            if sym.startswith(".text."):
                sym = sym[len(".text."):]
                if (m, sym) in local:
                    calls[cur].add((m, sym))
                continue
            if (m, sym) in local:
                calls[cur].add((m, sym))
            elif sym in defined:
                calls[cur].add((defined[sym], sym))
    return calls, defined


def main():
    calls, defined = graph()
    if START not in defined:
        print("walk: %s is not defined in %s" % (START, BUILD))
        return
    start = (defined[START], START)
    seen, todo = {start}, [start]
    files, entered, climbs = set(), Counter(), []
    followed = 0
    while todo:
        f = todo.pop()
        files.add(f[0])
        for g in sorted(calls.get(f, ())):
            if g[0] == f[0]:
                if g not in seen:
                    seen.add(g)
                    todo.append(g)
                continue
            followed += 1
            files.add(g[0])
            lf, lg = L.layer(f[0]), L.layer(g[0])
            if L.LAYERS.index(lg) > L.LAYERS.index(lf):
                climbs.append("%s:%s -> %s:%s" % (f[0], f[1], g[0], g[1]))
            if lg in RUN:
                if g not in seen:
                    seen.add(g)
                    todo.append(g)
            else:
                entered[g[0]] += 1
    print("walk from %s: %d files touched, %d calls between files, "
          "%d back up a layer" % (START, len(files), followed, len(climbs)))
    for c in climbs:
        print("  up  " + c)
    print("lower modules entered: " + ", ".join(
        "%s %d" % (m, n) for m, n in entered.most_common()))


if __name__ == "__main__":
    main()
