#!/usr/bin/env python3
"""drillvars.py SHAKEDOWN SCENARIO_DIR — every shipped drill takes what it
checks from variables (issue 38): each status code, JSON path and word, body
text, header, metric name, endpoint and load rate a drill checks comes from
a ${VAR}; every variable a drill reads is documented in its header and
listed by `shakedown vars`; and every variable in such a place, set empty,
switches its check off — `shakedown vars` then shows it off, and the drill
still validates. Prints one line per finding; exit 1 if any."""
import glob, os, re, subprocess, sys, yaml

sd, sdir = sys.argv[1], sys.argv[2]
VAR = re.compile(r'\$\{([A-Za-z_][A-Za-z0-9_]*)')
# where a drill compares the service's answers with something: what must
# come from a variable
CHECKS = {'status', 'json', 'body', 'header', 'metric', 'body_contains'}
ENDPOINTS = {'get', 'post', 'put', 'delete', 'url', 'promql', 'alert'}
bad = []

def scalars(n):
    if isinstance(n, dict):
        for k, v in n.items():
            yield from scalars(k)
            yield from scalars(v)
    elif isinstance(n, list):
        for v in n:
            yield from scalars(v)
    else:
        yield n

def check(drill, where, node, out):
    for v in scalars(node):
        if not isinstance(v, str) or not VAR.search(v):
            bad.append(f"{drill}: {where}: literal {v!r}: give it a variable")
        else:
            out.add(VAR.search(v).group(1))

for f in sorted(glob.glob(os.path.join(sdir, '*.yaml'))):
    name = os.path.basename(f)
    text = open(f).read()
    d = yaml.safe_load(text)
    offable = set()
    def expectation(where, x):
        if not isinstance(x, dict):
            return
        for k in CHECKS & set(x):
            check(name, f"{where}: {k}", x[k], offable)
    for sec in ('steady', 'steps', 'abort'):
        for i, st in enumerate(d.get(sec) or []):
            if not isinstance(st, dict):
                continue
            expectation(f"{sec} {i + 1}", st.get('expect', st))
            b = st.get('burst')
            if isinstance(b, dict):
                for k in ENDPOINTS & set(b):
                    check(name, f"{sec} {i + 1}: burst {k}", b[k], offable)
                rej = (b.get('expect') or {}).get('rejected') or {}
                for k in ('status', 'body_contains'):
                    if k in rej:
                        check(name, f"{sec} {i + 1}: rejected {k}", rej[k], offable)
    for kind in ('probes', 'load'):
        for pname, p in (d.get(kind) or {}).items():
            for k in (ENDPOINTS | ({'rate'} if kind == 'load' else set())) & set(p):
                check(name, f"{kind} {pname}: {k}", p[k], offable)
    # documented in the header, and listed by `shakedown vars`
    header = '\n'.join(l for l in text.splitlines() if l.startswith('#'))
    every = set(VAR.findall(text))
    listed = subprocess.run([sd, 'vars', f], capture_output=True, text=True).stdout
    for v in sorted(every):
        if not re.search(r'^#\s+' + v + r'\b', header, re.M) and v not in ('SHAKEDOWN_SANDBOX',):
            bad.append(f"{name}: {v} is read but not documented in the header")
        if not re.search(r'^' + v + r'$', listed, re.M):
            bad.append(f"{name}: {v} is not listed by shakedown vars")
    # each one set empty: that check is off, and said so
    # the monitoring probes are on (their URL set), so their names count
    base = dict(os.environ, ALERTMANAGER_URL='http://127.0.0.1:1')
    for v in sorted(offable):
        env = dict(base, **{v: ''})
        r = subprocess.run([sd, 'vars', f], capture_output=True, text=True, env=env)
        off = r.stdout.split('what is off:', 1)[-1]
        if r.returncode != 0:
            bad.append(f"{name}: {v}= : shakedown vars fails: {r.stderr.strip()[:200]}")
        elif v not in off:
            bad.append(f"{name}: {v}= switches nothing off that vars shows")
        r = subprocess.run([sd, 'validate', f], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            bad.append(f"{name}: {v}= : validate fails: {r.stderr.strip()[:200]}")
for b in bad:
    print(b)
print(f"drillvars: {len(bad)} finding(s)")
sys.exit(1 if bad else 0)
