#!/usr/bin/env python3
"""svgcheck.py DRILL_DIR: timeline.svg against result.json.

The chart must be well-formed XML (an SVG root) and hold the series it
claims: every probe's samples, in order, as runs of answer classes; every
applied fault; every measured key time; every second of every load with its
request and error counts. Prints "ok" or what differs."""
import json, sys, xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
d = sys.argv[1]
r = json.load(open(d + "/result.json"))
root = ET.parse(d + "/timeline.svg").getroot()
bad = []
if root.tag != NS + "svg":
    bad.append("root is %s" % root.tag)
if root.get("data-drill") != r["drill"] or root.get("data-verdict") != r["verdict"]:
    bad.append("drill/verdict %s/%s" % (root.get("data-drill"), root.get("data-verdict")))

def cls(st):
    return ("none" if st <= 0 else "2xx" if st < 300 else "3xx" if st < 400 else
            "429" if st == 429 else "4xx" if st < 500 else "5xx")

def groups(c):
    return [g for g in root.iter(NS + "g") if g.get("class") == c]

probes = {g.get("data-name"): g for g in groups("probe")}
for p in r["probes"]:
    st = p["series"]["status"]
    if not st:
        continue
    g = probes.get(p["name"])
    if g is None:
        bad.append("probe %s missing" % p["name"]); continue
    if int(g.get("data-samples")) != len(st):
        bad.append("probe %s: %s samples, json %d" % (p["name"], g.get("data-samples"), len(st)))
    runs = []
    for s in st:
        if runs and runs[-1][0] == cls(s):
            runs[-1][1] += 1
        else:
            runs.append([cls(s), 1])
    drawn = [[e.get("data-class"), int(e.get("data-n"))] for e in g.iter(NS + "rect")
             if e.get("class") == "status"]
    if drawn != runs:
        bad.append("probe %s: answers drawn %s, json %s" % (p["name"], drawn[:6], runs[:6]))
    lines = [e for e in g.iter(NS + "polyline") if e.get("class") == "latency"]
    if len(lines) != 1 or not (1 <= len(lines[0].get("points").split()) <= len(st)):
        bad.append("probe %s: no latency line" % p["name"])
applied = [f for f in r["faults"] if f["applied"]]
fg = groups("fault")
if len(fg) != len(applied):
    bad.append("%d fault marks, %d applied faults" % (len(fg), len(applied)))
for g, f in zip(fg, applied):
    if int(g.get("data-from-ms")) != f["applied_ms"]:
        bad.append("fault from %s, json %s" % (g.get("data-from-ms"), f["applied_ms"]))
keys = [x for x in r["expectations"] if x.get("as") and x["elapsed_ms"] is not None]
kg = groups("key-time")
if [(g.get("data-name"), int(g.get("data-at-ms"))) for g in kg] != [(x["as"], x["at_ms"]) for x in keys]:
    bad.append("key times drawn %s, json %s" % ([g.get("data-name") for g in kg], [x["as"] for x in keys]))
loads = {g.get("data-name"): g for g in groups("load")}
for l in r["loads"]:
    if not l["series"]:
        continue
    g = loads.get(l["name"])
    if g is None:
        bad.append("load %s missing" % l["name"]); continue
    secs = [(int(e.get("data-requests")), int(e.get("data-errors"))) for e in g.iter(NS + "g")
            if e.get("class") == "second"]
    want = [(s["requests"], s["errors"]) for s in l["series"]]
    if secs != want:
        bad.append("load %s: seconds drawn %s, json %s" % (l["name"], secs[:5], want[:5]))
    for q in ("p50", "p99"):
        pl = [e for e in g.iter(NS + "polyline") if e.get("class") == q]
        if len(pl) != 1 or len(pl[0].get("points").split()) != len(want):
            bad.append("load %s: %s line" % (l["name"], q))
print("ok" if not bad else "; ".join(bad))
