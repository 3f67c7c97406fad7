#!/usr/bin/env python3
"""action.py ACTION.yml [options] — read action.yml as GitHub does and run
its shell steps locally with the variables GitHub would set.

Checks the shape GitHub requires of a composite action (name, description,
inputs with descriptions, runs.using: composite, every step either run: with
shell: or uses:, every ${{ inputs.X }} declared, outputs from steps that have
an id), then runs the steps in order: `if:` evaluated (always(), success(),
failure(), inputs.X == 'v', joined by &&), ${{ }} expressions substituted,
each run: written to a file and run as `bash --noprofile --norc -eo pipefail
FILE` (GitHub's shell: bash), with GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH,
GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE, GITHUB_ACTION_PATH, RUNNER_TEMP, CI
and GITHUB_ACTIONS set, outputs read back from GITHUB_OUTPUT (name=value and
name<<EOF forms). A uses: step is not run: what it would get (upload-artifact's
path) is checked to exist. --in PREFIX runs every step under it (chroot DIR),
--root DIR is where that prefix's / is on this machine.

Exit 0 when the action's last step exits as --expect-exit says and every
--expect-files file is in the workspace; 1 otherwise."""
import argparse, os, re, shlex, subprocess, sys, tempfile

import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def fail(msg):
    print(f"  action: {msg}", file=sys.stderr)
    sys.exit(1)


def check_shape(a):
    for k in ("name", "description", "inputs", "runs"):
        if k not in a:
            fail(f"no {k}:")
    if a["runs"].get("using") != "composite":
        fail("runs.using is not composite")
    for name, inp in a["inputs"].items():
        if "description" not in inp:
            fail(f"input {name} has no description")
        if not inp.get("required") and "default" not in inp:
            fail(f"optional input {name} has no default")
    ids = set()
    for i, s in enumerate(a["runs"]["steps"]):
        if ("run" in s) == ("uses" in s):
            fail(f"step {i + 1} has both or neither of run: and uses:")
        if "run" in s and s.get("shell") not in ("bash", "sh", "pwsh", "python"):
            fail(f"step {i + 1} ({s.get('name')}): a composite run: step needs shell:")
        if "id" in s:
            ids.add(s["id"])
    text = yaml.safe_dump(a)
    for m in re.finditer(r"inputs\.([A-Za-z0-9_-]+)", text):
        if m.group(1) not in a["inputs"]:
            fail(f"inputs.{m.group(1)} is used but not declared")
    for m in re.finditer(r"steps\.([A-Za-z0-9_-]+)\.outputs", text):
        if m.group(1) not in ids:
            fail(f"steps.{m.group(1)} is used but no step has that id")
    for name, o in (a.get("outputs") or {}).items():
        if "value" not in o:
            fail(f"output {name} has no value: (a composite action's must)")


class Runner:
    def __init__(self, a, args):
        self.a, self.args = a, args
        self.inputs = {k: str(v.get("default", "")) for k, v in a["inputs"].items()}
        for kv in args.input:
            k, _, v = kv.partition("=")
            if k not in self.inputs:
                fail(f"--input {k}: the action has no such input")
            self.inputs[k] = v
        for k, v in a["inputs"].items():
            if v.get("required") and not self.inputs[k]:
                fail(f"input {k} is required")
        self.outputs = {}
        self.ok = True
        self.prefix = shlex.split(args.in_) if args.in_ else []
        self.root = args.root.rstrip("/")
        self.github = {"action_path": args.action_path, "workspace": args.workspace,
                       "action_repository": "", "action_ref": "", "token": ""}

    def host(self, path):
        return self.root + path if self.prefix else path

    def value(self, e):
        e = e.strip()
        if e.startswith("inputs."):
            return self.inputs[e[7:]]
        if e.startswith("github."):
            return self.github[e[7:]]
        m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", e)
        if m:
            return self.outputs.get(m.group(1), {}).get(m.group(2), "")
        m = re.fullmatch(r"'(.*)'", e)
        if m:
            return m.group(1)
        fail(f"an expression this runner does not know: {e}")

    def subst(self, s):
        return EXPR.sub(lambda m: self.value(m.group(1)), str(s))

    def cond(self, c):
        if c is None:
            return self.ok
        c = EXPR.sub(lambda m: m.group(1), str(c))
        result, always = True, False
        for term in (t.strip() for t in c.split("&&")):
            if term == "always()":
                always = True
            elif term == "success()":
                result &= self.ok
            elif term == "failure()":
                result &= not self.ok
            elif "==" in term:
                l, r = (x.strip() for x in term.split("==", 1))
                result &= self.value(l) == self.value(r)
            else:
                fail(f"an if: this runner does not know: {term}")
        return result and (always or self.ok)

    def run(self):
        ws, tmp = self.args.workspace, "/tmp/action-runner"
        os.makedirs(self.host(ws), exist_ok=True)
        os.makedirs(self.host(tmp), exist_ok=True)
        files = {k: f"{tmp}/{k}" for k in ("output", "env", "path", "summary")}
        for f in files.values():
            open(self.host(f), "w").close()
        last = None
        for i, s in enumerate(self.a["runs"]["steps"]):
            name = s.get("name", f"step {i + 1}")
            if not self.cond(s.get("if")):
                print(f"  - {name}: skipped (if: {s.get('if')})")
                continue
            if "uses" in s:
                w = {k: self.subst(v) for k, v in (s.get("with") or {}).items()}
                if "upload-artifact" in s["uses"]:
                    p = self.host(os.path.join(ws, w["path"]))
                    n = sum(len(f) for _, _, f in os.walk(p)) if os.path.isdir(p) else 0
                    print(f"  - {name}: {s['uses']} would upload {w['path']} as {w['name']} ({n} files)")
                    if n == 0 and w.get("if-no-files-found", "warn") == "error":
                        print("    nothing there to upload: the step fails", file=sys.stderr)
                        self.ok = False
                    elif n == 0:
                        print("    nothing there to upload (a warning, as GitHub's)")
                else:
                    print(f"  - {name}: {s['uses']} not run here")
                continue
            script = f"{tmp}/step-{i + 1}.sh"
            with open(self.host(script), "w") as f:
                f.write(self.subst(s["run"]))
            env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8",
                   "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": ws,
                   "GITHUB_ACTION_PATH": self.args.action_path, "RUNNER_TEMP": tmp,
                   "GITHUB_OUTPUT": files["output"], "GITHUB_ENV": files["env"],
                   "GITHUB_PATH": files["path"], "GITHUB_STEP_SUMMARY": files["summary"]}
            env.update({k: self.subst(v) for k, v in (s.get("env") or {}).items()})
            shell = {"bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"],
                     "sh": ["sh", "-e"]}[s["shell"]]
            argv = ["env", "-i"] + [f"{k}={v}" for k, v in env.items()] + self.prefix + \
                ["sh", "-c", 'cd "$GITHUB_WORKSPACE" && exec "$@"', "-"] + shell + [script]
            open(self.host(files["output"]), "w").close()
            rc = subprocess.run(argv, stdout=sys.stdout if self.args.verbose else subprocess.DEVNULL,
                                stderr=subprocess.STDOUT if self.args.verbose else subprocess.DEVNULL).returncode
            print(f"  - {name}: exit {rc}")
            last = rc
            if rc != 0:
                self.ok = False
            if "id" in s:
                self.outputs[s["id"]] = read_outputs(self.host(files["output"]))
        summary = open(self.host(files["summary"])).read()
        return last, summary


def read_outputs(path):
    out, lines, i = {}, open(path).read().split("\n"), 0
    while i < len(lines):
        ln = lines[i]
        m = re.fullmatch(r"([\w-]+)<<(\S+)", ln)
        if m:
            j = lines.index(m.group(2), i + 1)
            out[m.group(1)] = "\n".join(lines[i + 1:j])
            i = j
        elif "=" in ln:
            k, _, v = ln.partition("=")
            out[k] = v
        i += 1
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("action")
    p.add_argument("--input", action="append", default=[])
    p.add_argument("--in", dest="in_", default="")
    p.add_argument("--root", default="/")
    p.add_argument("--workspace", default="")
    p.add_argument("--action-path", default="")
    p.add_argument("--check-only", action="store_true",
                   help="only check the shape GitHub requires")
    p.add_argument("--expect-exit", type=int, default=0)
    p.add_argument("--expect-files", default="")
    p.add_argument("--expect-summary", default="")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    a = yaml.safe_load(open(args.action))
    check_shape(a)
    if args.check_only:
        print(f"action: {args.action}: a composite action of {len(a['runs']['steps'])} steps,"
              f" {len(a['inputs'])} inputs")
        return
    if not args.workspace or not args.action_path:
        fail("--workspace and --action-path are needed to run the steps")
    r = Runner(a, args)
    last, summary = r.run()
    bad = []
    if last != args.expect_exit:
        bad.append(f"the last step exited {last}, not {args.expect_exit}")
    for f in filter(None, args.expect_files.split(",")):
        if not os.path.isfile(r.host(os.path.join(args.workspace, f))):
            bad.append(f"no {f} in the workspace")
    if args.expect_summary and args.expect_summary not in summary:
        bad.append(f"'{args.expect_summary}' is not in the job summary")
    code = r.outputs.get("run", {}).get("exit-code")
    if code != str(args.expect_exit):
        bad.append(f"output exit-code is {code!r}")
    for b in bad:
        print(f"  action: {b}", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
