#!/usr/bin/env python3
"""manydays.py TEMPLATE OUT DAYS DRILLS: a history's worth of game days.

Writes OUT/day-NN/DRILL-K/result.json for DAYS game days of DRILLS drills
each, from one real result.json (TEMPLATE): each copy renamed, dated a
quarter after the one before, and its key times scaled a little, so that
`shakedown report --history` has real-sized results to read. For the
history benchmark and test; the data is made up, the format is not."""
import json
import os
import random
import sys

tpl = json.load(open(sys.argv[1]))
out, days, drills = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(20261203)
QUARTER = 91 * 24 * 3600 * 1000
for d in range(days):
    for k in range(drills):
        r = json.loads(json.dumps(tpl))
        r["drill"] = "%s-%d" % (tpl["drill"], k)
        r["started_ms"] = tpl.get("started_ms", 0) + d * QUARTER + k * 60000
        f = 0.8 + 0.4 * rnd.random()
        for x in r.get("key_times", []) + r.get("expectations", []):
            if x.get("elapsed_ms") is not None and x.get("as", x.get("name")):
                x["elapsed_ms"] = int(x["elapsed_ms"] * f)
        p = os.path.join(out, "day-%02d" % d, r["drill"])
        os.makedirs(p, exist_ok=True)
        json.dump(r, open(os.path.join(p, "result.json"), "w"))
