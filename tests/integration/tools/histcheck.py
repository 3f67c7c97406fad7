#!/usr/bin/env python3
"""histcheck.py DIR GAMEDAY...: history.svg against the results it came from.

history.svg must be well-formed XML (an SVG root) and hold, for every drill
and key time the game days measured, one panel whose points are exactly the
game days that measured it, with their values and resolutions, in date
order — a game day without the drill is a gap, never a point at zero.
Prints "ok" or what differs."""
import glob, json, os, sys, xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
d = sys.argv[1]
days = []
for arg in sys.argv[2:]:
    files = [arg] if os.path.isfile(arg) else (
        [os.path.join(arg, "result.json")] if os.path.isfile(os.path.join(arg, "result.json"))
        else sorted(glob.glob(os.path.join(arg, "*", "result.json"))))
    rs = [json.load(open(f)) for f in files]
    by = {}
    for r in rs:
        if r["drill"] not in by or r["started_ms"] > by[r["drill"]]["started_ms"]:
            by[r["drill"]] = r
    days.append((min(r["started_ms"] for r in rs), arg, by))
days.sort()
root = ET.parse(os.path.join(d, "history.svg")).getroot()
bad = []
if root.tag != NS + "svg":
    bad.append("root is %s" % root.tag)
if int(root.get("data-days")) != len(days):
    bad.append("days %s, want %d" % (root.get("data-days"), len(days)))
panels = {(g.get("data-drill"), g.get("data-metric")): g
          for g in root.iter(NS + "g") if g.get("class") == "panel"}
want = {}
for i, (_, _, by) in enumerate(days):
    for drill, r in by.items():
        for k in r.get("key_times", []):
            if k.get("elapsed_ms") is not None:
                want.setdefault((drill, k["name"]), []).append(
                    (i, k["elapsed_ms"], k.get("resolution_ms") or 0))
for key, pts in want.items():
    g = panels.get(key)
    if g is None:
        bad.append("no panel for %s / %s" % key)
        continue
    got = [(int(c.get("data-day")), float(c.get("data-value")), float(c.get("data-resolution")))
           for c in g.iter(NS + "circle") if c.get("class") == "point"]
    if got != [(i, float(v), float(r)) for i, v, r in pts]:
        bad.append("%s / %s: points %s, want %s" % (key[0], key[1], got, pts))
print("ok" if not bad else "; ".join(bad[:5]))
