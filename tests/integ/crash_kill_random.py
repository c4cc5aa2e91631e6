#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Driver of crash_kill_random.sh (issue 9, "Nothing lost, ever": the kill test).

  crash_kill_random.py prepare DIR
      writes DIR/template (a folder of 2,000 files), DIR/kill.json (a scripted
      30-turn session for tests/fake/anthropic_server.py) and DIR/resume.json
  crash_kill_random.py run --template DIR --runs DIR --kill-url URL --resume-url URL
                           [--instants 25] [--seed N]
      One uninterrupted control run of the session (it must finish, change the
      folder, and `undo --to baseline` must restore it); its event times are the
      anchors of the kill instants. Then, for each of --instants instants drawn
      with a seeded RNG, one per equal slice of the control run: a fresh copy of
      the folder and of the state directory, the same session killed with
      SIGKILL at that instant, and the checks of the issue:
        1 transcript.jsonl parses line by line (strict UTF-8, strict JSON)
        2 `deskhand sessions` lists the session as `interrupted` (`done` when
          the kill came after the run recorded session_finished)
        3 `deskhand log` works (exit 0)
        4 `deskhand undo --to baseline` makes the folder byte-identical to the
          original at once (diff -r, and the `find -printf '%m %y %p %l'` list)
        5 `deskhand run --resume ID` finishes (exit 0, status done, and the
          transcript still parses after it)
      and 0: no process of the killed run outlives it.
      Prints one line per instant and what failed; exits 0 only if all pass.

The environment (HOME, XDG_*, DH_SANDBOX, TZ ...) comes from tests/lib.sh; the
deskhand binary from $DH_BUILD/deskhand. The kill server runs with
--cursor-per-key: every run uses its own API key, so each walks the script from
its first turn. The resume server runs with --check-history, so a resumed
conversation the real API would refuse fails here too.
"""

import argparse
import ctypes
import json
import os
import random
import select
import signal
import subprocess
import sys
import threading
import time

TASK = "Reorganise this folder"
RESUME_TASK = "The session stopped: finish up"
NDIRS, PER_DIR = 19, 100  # d00..d18, 100 files each; 100 more in nested/ and notes/
VERB_TIMEOUT_S = 120
SURVIVOR_WAIT_S = 10
# Events whose order is fixed by the script; text deltas and status events are
# not (their number depends on how the stream was read), so they are no anchors.
UNSTABLE = {"text_delta", "status", "usage"}


# The control run's last answer (the script's last turn).
FINAL_ANSWER = "Finished: the folder is reorganised."


# ---- the folder and the scripts ---------------------------------------------------------


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)


def make_template(root):
    """2,000 small files in nested directories, a few executables, names with a
    space and non-ASCII letters, and symlinks (one dangling)."""
    os.makedirs(root, mode=0o755)
    n = 0
    for d in range(NDIRS):
        for f in range(PER_DIR):
            mode = 0o755 if d == 18 and f % 10 == 0 else 0o644
            write("%s/d%02d/f%03d.txt" % (root, d, f),
                  "d%02d/f%03d\nline two\nvalue=%d\n" % (d, f, d * PER_DIR + f), mode)
            n += 1
    for f in range(50):
        write("%s/nested/a/b/c/f%03d.txt" % (root, f), "deep %d\nline two\n" % f)
    for f in range(45):
        write("%s/nested/a/f%03d.txt" % (root, f), "shallow %d\nline two\n" % f)
    write(root + "/notes/My Notes.txt", "my notes\nline two\n")
    write(root + "/notes/café.txt", "crème brûlée\nline two\n")
    write(root + "/notes/readme.md", "# Readme\n\nThis folder holds test data.\n")
    write(root + "/scripts/run.sh", "#!/bin/sh\necho run\n", 0o755)
    write(root + "/scripts/tool.sh", "#!/bin/sh\necho tool\n", 0o755)
    n += 100
    os.makedirs(root + "/links", mode=0o755)
    os.symlink("../notes/readme.md", root + "/links/to-readme")
    os.symlink("../nowhere/at-all.txt", root + "/links/dangling")
    for dirpath, dirnames, _ in os.walk(root):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
    assert n == 2000


def call(name, **inp):
    return {"name": name, "input": inp}


def sh(command):
    return call("run_command", command=command)


def kill_script():
    """30 model turns: a plan, then writes, edits, moves, deletes and commands
    (each command changes many files), then the final answer."""
    steps = [{"title": "Tidy the notes"}, {"title": "Reorganise the data"}, {"title": "Report"}]

    def plan(done):
        return call("update_plan", steps=[dict(s, status="done" if i < done else "pending")
                                          for i, s in enumerate(steps)])

    acts = [
        [call("propose_plan", steps=steps)],
        [call("list_files", path="notes"), call("read_file", path="notes/readme.md")],
        [call("write_file", path="notes/summary.md", content="# Summary\n\nReorganised.\n")],
        [call("edit_file", path="d00/f000.txt", old_string="line two", new_string="LINE TWO"),
         call("edit_file", path="d00/f001.txt", old_string="value=1\n", new_string="value=one\n")],
        [sh("sed -i 's/line two/edited by sed/' d01/*.txt")],
        [call("move_file", source="d02/f000.txt", destination="d02/renamed-000.txt"),
         call("move_file", source="notes/café.txt", destination="notes/archive/café.txt")],
        [call("delete_file", path="d03/f000.txt"), call("delete_file", path="d03/f001.txt")],
        [sh("rm -r d04")],
        [call("write_file", path="d05/f010.txt", content="replaced\n"),
         call("write_file", path="new dir/x/y.txt", content="new\n")],
        [sh("mkdir -p gen && for i in $(seq 1 60); do echo \"generated $i\" > gen/g$i.txt; done")],
        [call("move_file", source="d06", destination="moved/d06")],
        [sh("chmod +x d07/f00*.txt && chmod -x scripts/tool.sh")],
        [plan(1)],
        [call("edit_file", path="nested/a/b/c/f000.txt", old_string="line",
              new_string="LINE", replace_all=True)],
        [sh("ln -s ../d08/f000.txt links/new-link && rm links/to-readme"
            " && ln -s ../notes/summary.md links/to-readme")],
        [sh("for f in d09/*.txt; do printf 'appended\\n' >> \"$f\"; done")],
        [call("delete_file", path="scripts/run.sh"), call("make_directory", path="empty/made")],
        [sh("mv d10 d10-renamed && mv 'notes/My Notes.txt' notes/my-notes.txt")],
        [call("write_file", path="d11/f050.txt", content="rewritten\n"),
         call("edit_file", path="d11/f051.txt", old_string="value=1151", new_string="value=x")],
        [sh("find d12 -name 'f0[0-4]*.txt' -delete")],
        [call("write_file", path="report.csv",
              content="".join("row%d,%d\n" % (i, i * i) for i in range(200)))],
        [sh("cat d13/*.txt > all-d13.txt && : > d13/f099.txt")],
        [call("move_file", source="d14/f000.txt", destination="d15/from-d14.txt"),
         call("delete_file", path="d14/f001.txt")],
        # A tree deleted and made again. Not by `tar x`: it makes each directory 0700 and
        # sets the archive's mode only once its contents are out, so a kill in between
        # leaves d16 at 0700, and directory modes are outside what a checkpoint records
        # (git trees carry none), so no undo could put 0755 back. A copy renamed into
        # place changes d16 only by the rename.
        [sh("cp -r d16 d16.new && rm -r d16 && mv d16.new d16")],
        [call("edit_file", path="notes/readme.md", old_string="test data", new_string="sorted data")],
        [sh("sed -i '1d' d17/*.txt && : > d17/new-empty-file")],
        [plan(2)],
        [sh("rm d18/*.txt")],
        [call("write_file", path="done.txt", content="done\n"), plan(3)],
    ]
    turns = [{"text": "Step %d." % (i + 1) if i % 3 == 0 else "", "tool_calls": a}
             for i, a in enumerate(acts)]
    for t in turns:
        if not t["text"]:
            del t["text"]
    turns.append({"text": FINAL_ANSWER, "stop_reason": "end_turn"})
    assert len(turns) == 30
    return {"turns": turns}


def prepare(out):
    make_template(os.path.join(out, "template"))
    with open(os.path.join(out, "kill.json"), "w") as f:
        json.dump(kill_script(), f, ensure_ascii=False)
    with open(os.path.join(out, "resume.json"), "w") as f:
        json.dump({"turns": [{"text": "Finished after the stop.", "stop_reason": "end_turn"}]}, f)


# ---- processes --------------------------------------------------------------------------


PR_SET_CHILD_SUBREAPER = 36


PR_SET_PDEATHSIG = 1


def on_term(signum, frame):
    """The test was stopped (its shell ended, a timeout): kill what we started."""
    for pid in children() + list(WORKERS):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    reap_survivors(time.monotonic())
    os._exit(128 + signum)


def become_subreaper():
    """What a killed run leaves running is re-parented to us, so we see it and
    can wait for it (and nothing escapes the test). If the shell that started
    us goes, we go, and take our runs with us."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")


WORKERS = set()  # pids of the driver's own worker processes (--jobs)


def children():
    """Pids whose parent is this process (adopted orphans included), but for
    the driver's workers."""
    me, out = os.getpid(), []
    try:
        with open("/proc/self/task/%d/children" % me) as f:
            out = [int(p) for p in f.read().split()]
    except OSError:
        pass
    return [p for p in out if p not in WORKERS]


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()[:120]
    except OSError:
        return "?"


def reap_survivors(since):
    """Waits (at most SURVIVOR_WAIT_S) for every adopted process to exit; kills
    and reaps what is left. Returns ([what had to be killed], [what exited by
    itself]): a sandbox helper whose caller was killed takes its command down
    and exits on its own (PDEATHSIG), a moment after its caller."""
    found, gone, deadline = [], [], time.monotonic() + SURVIVOR_WAIT_S
    while True:
        pids = children()
        if not pids:
            return found, gone
        for pid in pids:
            desc = "pid %d (%s)" % (pid, cmdline(pid))
            try:
                fd = os.pidfd_open(pid)
            except OSError:
                fd = None
            if fd is not None:
                left = max(0.0, deadline - time.monotonic())
                ready, _, _ = select.select([fd], [], [], left)
                os.close(fd)
                if not ready:
                    os.kill(pid, signal.SIGKILL)
                    found.append(desc + " still running %.1f s after the kill: killed by the test"
                                 % (time.monotonic() - since))
                else:
                    gone.append(desc + " ended %d ms after" % ((time.monotonic() - since) * 1000))
            else:
                gone.append(desc + " ended")
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


class Run:
    """`deskhand run` with its --json events read as they come, each with the
    time it arrived (seconds since the start)."""

    def __init__(self, argv, env, errpath):
        self.events = []  # (t, obj or None, raw line)
        self.cond = threading.Condition()
        self.done = False
        self.t0 = time.monotonic()
        self.err = open(errpath, "wb")
        self.p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=self.err)
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for raw in self.p.stdout:
            t = time.monotonic() - self.t0
            try:
                obj = json.loads(raw)
            except ValueError:
                obj = None
            with self.cond:
                self.events.append((t, obj, raw))
                self.cond.notify_all()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def stable(self):
        """(t, event) of the events whose order the script fixes."""
        return [(t, o) for t, o, _ in self.events
                if isinstance(o, dict) and o.get("type") not in UNSTABLE]

    def wait_stable(self, k, timeout):
        """Blocks until the k-th (0-based) stable event arrived or the output
        ended. True if it arrived."""
        end = time.monotonic() + timeout
        with self.cond:
            while len(self.stable()) <= k and not self.done:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return len(self.stable()) > k

    def finish(self, timeout):
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        # Whatever the run started and left behind may still hold the pipe: the
        # caller reaps those, then the reader ends.
        self.err.close()
        return rc


def describe(o):
    if not isinstance(o, dict):
        return "start"
    s = o.get("type", "?")
    if o.get("name"):
        s += " " + o["name"]
    if s == "checkpoint" and o.get("tool_call"):
        s += " (after a call)"
    return s


# ---- checks -----------------------------------------------------------------------------


def no_constants(name):
    raise ValueError("not JSON: " + name)


def strict_line(raw):
    """Parses one line as a strict JSON object in strict UTF-8 (no NaN, no lone
    surrogate escapes). Returns an error text or None."""
    try:
        obj = json.loads(raw.decode("utf-8"), parse_constant=no_constants)
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, ValueError) as e:
        return str(e)[:160]
    if not isinstance(obj, dict):
        return "not an object"
    return None


def check_transcript(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return "cannot read %s: %s" % (os.path.basename(path), e.strerror)
    lines = data.split(b"\n")
    if lines[-1]:
        return "torn last line (no newline, %d bytes): %r" % (len(lines[-1]), lines[-1][:60])
    for i, raw in enumerate(lines[:-1], 1):
        bad = strict_line(raw)
        if bad:
            return "line %d of %d: %s: %r" % (i, len(lines) - 1, bad, raw[:60])
    return None


def transcript_says(path, text):
    """Whether the transcript at path holds `text` (str) anywhere."""
    try:
        with open(path, "rb") as f:
            return text.encode("utf-8") in f.read()
    except OSError:
        return False


def transcript_has(path, rtype):
    """Whether the transcript at path holds a whole record of type rtype."""
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")[:-1]
    except OSError:
        return False
    for raw in lines:
        try:
            if json.loads(raw.decode("utf-8")).get("type") == rtype:
                return True
        except (UnicodeError, ValueError, AttributeError):
            pass
    return False


def tree_listing(root):
    out = subprocess.run(["find", ".", "-printf", r"%m %y %p %l\n"], cwd=root,
                         stdout=subprocess.PIPE, check=True).stdout
    return sorted(out.decode("utf-8", "surrogateescape").splitlines())


def compare_trees(pristine, work, pristine_list):
    """None if identical (content, kinds, modes, link targets), else what differs."""
    d = subprocess.run(["diff", "-r", "--no-dereference", pristine, work],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    problems = []
    if d.returncode != 0:
        lines = d.stdout.decode("utf-8", "replace").replace(pristine, "ORIG").replace(
            work, "WORK").splitlines()
        problems.append("diff -r: %d lines, first: %s" % (len(lines), " | ".join(lines[:4])))
    now = tree_listing(work)
    if now != pristine_list:
        a, b = set(pristine_list), set(now)
        gone, extra = sorted(a - b), sorted(b - a)
        problems.append("find: %d missing %s; %d extra %s" % (
            len(gone), gone[:3], len(extra), extra[:3]))
    return "; ".join(problems) or None


class Ctx:
    """Every run works on the same folder path with a copy of the same state
    directory: the shadow repository of that path is made once, by the control
    run (a first checkpoint of 2,000 files is the slowest part of a run), and
    each run starts from a copy of it, as a person's next session would."""

    def __init__(self, args, slot):
        self.dh = os.path.join(os.environ["DH_BUILD"], "deskhand")
        self.slot = slot
        self.template = args.template
        self.runs = args.runs
        self.work = os.path.join(args.runs, "work-%d" % slot)
        self.state_template = None
        self.old_ids = set()  # the sessions in state_template
        # The folder was found identical to the template (diff -r and the find
        # list) after the last run: it is reused instead of copied again.
        self.work_pristine = False
        self.kill_url = args.kill_url
        self.resume_url = args.resume_url
        self.pristine = tree_listing(args.template)

    def env(self, state, url, key):
        e = dict(os.environ)
        e.update(XDG_STATE_HOME=state, ANTHROPIC_BASE_URL=url, ANTHROPIC_API_KEY=key)
        return e

    def fresh(self, name):
        """A new copy of the folder and of the state directory."""
        base = os.path.join(self.runs, name)
        os.makedirs(base)
        state = os.path.join(base, "state")
        if not self.work_pristine:
            subprocess.run(["rm", "-rf", self.work], check=True)
            subprocess.run(["cp", "-a", self.template, self.work], check=True)
        self.work_pristine = False
        if self.state_template:
            subprocess.run(["cp", "-a", self.state_template, state], check=True)
        else:
            os.makedirs(state)
        return base, self.work, state

    def start(self, base, work, state, key):
        argv = [self.dh, "run", "--grant", work, "--approve-plan", "--mode", "auto", "--json", TASK]
        return Run(argv, self.env(state, self.kill_url, key), os.path.join(base, "run.err"))

    def verb(self, state, argv, key="verb", url=None):
        """Runs `deskhand ARGV...`; returns (exit status, stdout, last stderr line)."""
        try:
            p = subprocess.run([self.dh] + argv, env=self.env(state, url or self.kill_url, key),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=VERB_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return 124, b"", "timed out after %d s" % VERB_TIMEOUT_S
        text = p.stderr.decode("utf-8", "replace").strip()
        if "Sanitizer" in text:
            # The sanitizer's report whole, from its first line: the stacks
            # are what tells where a leak or an error came from.
            at = max(text.find("==ERROR"), 0)
            return p.returncode, p.stdout, text[at:at + 6000]
        err = text.splitlines()
        return p.returncode, p.stdout, err[-1][:200] if err else ""


# ---- the warm-up and the control run ----------------------------------------------------


def warm_up(ctx):
    """A one-turn session on the folder: its first checkpoint makes the shadow
    repository, whose copy every later run starts from."""
    base, work, state = ctx.fresh("warmup-%d" % ctx.slot)
    t = time.monotonic()
    rc, out, err = ctx.verb(state, ["run", "--grant", work, "--json", "Look at the folder"],
                            key="warmup-%d" % ctx.slot, url=ctx.resume_url)
    if rc != 0:
        say("FAIL: warm-up session %d: exit %d: %s\n" % (ctx.slot, rc, err))
        sys.exit(1)
    say("warm-up session %d (first checkpoint of the folder): %.2f s\n" % (
        ctx.slot, time.monotonic() - t))
    ctx.state_template = os.path.join(ctx.runs, "state-template-%d" % ctx.slot)
    subprocess.run(["cp", "-a", state, ctx.state_template], check=True)
    ctx.old_ids = set(os.listdir(os.path.join(state, "deskhand", "sessions")))
    subprocess.run(["rm", "-rf", base], check=True)



def control(ctx):
    """Runs the whole session once. Returns (stable events with times, seconds)
    or exits on failure: the scenario itself must work before kills mean anything."""
    base, work, state = ctx.fresh("control")
    run = ctx.start(base, work, state, "control")
    rc = run.finish(VERB_TIMEOUT_S)
    survivors = sum(reap_survivors(time.monotonic()), [])
    run.reader.join(5)
    ev = run.stable()
    fin = [o for _, o in ev if o.get("type") == "session_finished"]
    errs = ["%s: %s" % (o.get("name"), (o.get("output") or "")[:100]) for _, o in ev
            if o.get("type") == "tool_result" and o.get("is_error")]
    bad = []
    if rc != 0 or not fin or fin[0].get("status") != "done":
        with open(os.path.join(base, "run.err"), errors="replace") as f:
            bad.append("run exited %d, %s; stderr: %s" % (rc, fin and fin[0], f.read()[-400:]))
    if errs:
        bad.append("tool calls failed: %s" % "; ".join(errs))
    turns = sum(1 for _, o in ev if o.get("type") == "turn_started")
    if turns != 30:
        bad.append("%d model turns, not 30" % turns)
    changed = compare_trees(ctx.template, work, ctx.pristine)
    if not changed:
        bad.append("the session changed nothing")
    if survivors:
        bad.append("processes outlived the run: %s" % "; ".join(survivors))
    sid = next((o.get("session") for _, o in ev if o.get("type") == "session_started"), None)
    if sid:
        urc, _, uerr = ctx.verb(state, ["undo", "--to", "baseline", "--session", sid])
        left = compare_trees(ctx.template, work, ctx.pristine)
        if urc != 0 or left:
            bad.append("undo --to baseline after a whole run: exit %d %s; %s" % (urc, uerr, left))
    say("control run: %.2f s, %d model turns, %d events, %d tool calls, changes: %s" % (
        ev[-1][0] if ev else 0, turns, len(ev),
        sum(1 for _, o in ev if o.get("type") == "tool_call"), (changed or "")[:200]) + "\n")
    if bad:
        say("FAIL: control run: " + " | ".join(bad) + "\n")
        sys.exit(1)
    subprocess.run(["rm", "-rf", base], check=True)
    end = next(t for t, o in ev if o.get("type") == "session_finished")
    return ev, end


# ---- one kill ---------------------------------------------------------------------------


def kill_at(ctx, name, key, anchor, delay):
    """Starts a fresh run with API key `key`, waits for stable event `anchor`
    (-1: the start), then `delay` seconds more, and kills it. Returns (run,
    killed, state, work, base, t_kill, survivors). The kill server walks its
    script once per key: a key no earlier run used starts at the first turn."""
    base, work, state = ctx.fresh(name)
    run = ctx.start(base, work, state, key)
    if anchor >= 0 and not run.wait_stable(anchor, VERB_TIMEOUT_S):
        run.finish(VERB_TIMEOUT_S)
        return run, False, state, work, base, None, reap_survivors(time.monotonic())
    if delay > 0:
        time.sleep(delay)  # the random instant itself, not a synchronisation
    killed = run.p.poll() is None
    if killed:
        os.kill(run.p.pid, signal.SIGKILL)
    t_kill = time.monotonic()
    run.finish(VERB_TIMEOUT_S)
    survivors = reap_survivors(t_kill)
    run.reader.join(5)
    return run, killed, state, work, base, t_kill - run.t0, survivors


def check_instant(ctx, i, anchor, delay, anchor_name):
    name = "k%02d" % i
    ctx.t_instant = time.monotonic()
    run, killed, state, work, base, t_kill, survivors = kill_at(ctx, name, name, anchor, delay)
    again = ""
    if not killed and anchor >= 0 and t_kill is not None:
        # The run ended within the delay (faster than the control run): kill
        # right at the anchor instead. Under a key of its own: the first run
        # took every turn of its key's script, so under the same key the
        # server would answer "script exhausted" from the first request and
        # the run would end failed before the anchor.
        subprocess.run(["rm", "-rf", base], check=True)
        again = " (run again: the first run ended within those %d ms)" % (delay * 1000)
        delay = 0
        run, killed, state, work, base, t_kill, survivors = kill_at(ctx, name, name + "-again",
                                                                    anchor, 0)
    fails = {}
    # Everything in the pipe was written before the kill: the last event read
    # is the last the run printed.
    ev = run.stable()
    where = "%s +%dms%s, last event: %s" % (anchor_name, delay * 1000, again,
                                            "#%d %s" % (len(ev) - 1, describe(ev[-1][1])) if ev else "none")
    if 0 <= anchor < len(ev) and "event %d %s" % (anchor, describe(ev[anchor][1])) != anchor_name:
        where += ", its event %d was %s" % (anchor, describe(ev[anchor][1]))
    if not killed:
        # why it ended: its last event's message, and what it printed (on
        # disk whole: Run.finish() closed run.err)
        fin = [o.get("message") for _, o in ev if o.get("type") == "session_finished"]
        with open(run.err.name, "rb") as f:
            said = f.read()[-400:].decode("utf-8", "replace")
        fails["kill"] = "run ended before the instant (exit %s; %s; stderr: %s)" % (
            run.p.returncode, fin[-1] if fin else "no session_finished", said)
    survivors, notes = survivors
    if survivors:
        fails["0 orphans"] = "; ".join(survivors)
    if notes:
        where += "; left running at the kill: " + "; ".join(notes)
    sdir = os.path.join(state, "deskhand", "sessions")
    ids = sorted(x for x in os.listdir(sdir) if not x.startswith(".")
                 and x not in ctx.old_ids) if os.path.isdir(sdir) else []
    started = next((o.get("session") for _, o in run.stable()
                    if o.get("type") == "session_started"), None)
    if started and started not in ids:
        fails["2 sessions"] = "session %s announced but not on disk (%s)" % (started, ids)
    if len(ids) > 1:
        fails["2 sessions"] = "%d sessions from one run: %s" % (len(ids), ids)
    if not ids:
        if started:
            pass
        else:
            left = compare_trees(ctx.template, work, ctx.pristine)
            if left:
                fails["4 undo"] = "no session, yet the folder changed: " + left
            return finish_instant(ctx, i, t_kill, where, anchor_name, fails, "no session yet", base)
    sid = started or ids[-1]

    bad = check_transcript(os.path.join(sdir, sid, "transcript.jsonl"))
    if bad:
        fails["1 transcript"] = bad

    rc, out, err = ctx.verb(state, ["sessions", "--json"])
    try:
        listed = json.loads(out.decode("utf-8")) if rc == 0 else None
        st = next((m.get("status") for m in listed if m.get("id") == sid), "not listed")
    except (UnicodeError, ValueError, TypeError, AttributeError) as e:
        st = "unparsable (%s)" % e
    # A kill that lands after the run recorded session_finished (it was on
    # its way out: printing it, closing the engine, reaping) finds the
    # session complete: it stays done. Any earlier kill leaves it
    # interrupted. The record is in the transcript before it is printed.
    finished = any(o.get("type") == "session_finished" for _, o in ev) or \
        transcript_has(os.path.join(sdir, sid, "transcript.jsonl"), "session_finished")
    want = {"done"} if finished else {"interrupted"}
    # meta.json says done before session_finished is appended (agent.c
    # finish(): whoever sees the record finds meta.json saying so), so a
    # kill between the two, after the last answer was recorded, leaves a
    # session whose task did end listed as done.
    if not finished and transcript_says(os.path.join(sdir, sid, "transcript.jsonl"),
                                        FINAL_ANSWER):
        want.add("done")
    if rc != 0 or st not in want:
        fails["2 sessions"] = "exit %d, status %s (want %s) %s" % (rc, st,
                                                                  " or ".join(sorted(want)), err)

    rc, _, err = ctx.verb(state, ["log", sid])
    if rc != 0:
        fails["3 log"] = "exit %d: %s" % (rc, err)

    rc, _, err = ctx.verb(state, ["undo", "--to", "baseline", "--session", sid])
    left = compare_trees(ctx.template, work, ctx.pristine)
    if rc != 0 or left:
        fails["4 undo"] = "exit %d%s%s" % (rc, (": " + err) if rc else "",
                                             ("; " + left) if left else "")

    rc, out, err = ctx.verb(state, ["run", "--resume", sid, "--approve-plan", "--mode", "auto",
                                    "--json", RESUME_TASK], key="resume-" + name,
                            url=ctx.resume_url)
    fin = [json.loads(x) for x in out.splitlines() if b'"session_finished"' in x]
    st = fin[-1].get("status") + " " + (fin[-1].get("message") or "")[:160] if fin else "none"
    bad = check_transcript(os.path.join(sdir, sid, "transcript.jsonl"))
    if rc != 0 or not st.startswith("done") or bad:
        fails["5 resume"] = "exit %d, finished: %s%s%s" % (
            rc, st, ("; " + err) if rc else "", ("; transcript after it: " + bad) if bad else "")
    survivors = sum(reap_survivors(time.monotonic()), [])
    if survivors:
        fails["0 orphans"] = (fails.get("0 orphans", "") + " after the verbs: " + "; ".join(survivors))
    elif "4 undo" not in fails:
        ctx.work_pristine = compare_trees(ctx.template, work, ctx.pristine) is None
    return finish_instant(ctx, i, t_kill, where, anchor_name, fails, sid, base)


def finish_instant(ctx, i, t_kill, where, anchor_name, fails, sid, base):
    tk = "%6.0fms" % (t_kill * 1000) if t_kill is not None else "     -  "
    text = "instant %2d  %s  kill at %s (%s)  %s  [%.1f s]\n" % (
        i + 1, "ok  " if not fails else "FAIL", tk, where, sid, time.monotonic() - ctx.t_instant)
    for k in sorted(fails):
        text += "      %-13s %s\n" % (k, fails[k])
    say(text)
    subprocess.run(["rm", "-rf", base], check=True)
    return fails


def say(text):
    """One write, so the lines of two workers do not mix."""
    sys.stdout.flush()
    os.write(1, text.encode("utf-8", "replace"))


def run_instants(ctx, plan, jobs):
    """Runs this slot's share of the plan; returns {instant number: [failed checks]}."""
    out = {}
    for i, (k, d, aname) in enumerate(plan):
        if i % jobs == ctx.slot:
            out[i + 1] = sorted(check_instant(ctx, i, k, d, aname))
    return out


def worker(args, slot, plan_r, res_w):
    """A worker process: its own folder path and shadow repository (warmed up
    while the control run goes on), then every jobs-th instant of the plan."""
    become_subreaper()
    ctx = Ctx(args, slot)
    warm_up(ctx)
    with os.fdopen(plan_r) as f:
        text = f.read()
    res = run_instants(ctx, json.loads(text), args.jobs) if text else {}
    with os.fdopen(res_w, "w") as f:
        json.dump(res, f)
    return 0


def start_workers(args):
    """Forks args.jobs - 1 workers; returns [(pid, plan write fd, result read fd)]."""
    workers, ours = [], []
    for slot in range(1, args.jobs):
        plan_r, plan_w = os.pipe()
        res_r, res_w = os.pipe()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            rc = 1
            try:
                for fd in ours + [plan_w, res_r]:
                    os.close(fd)
                rc = worker(args, slot, plan_r, res_w)
            finally:
                os._exit(rc)
        WORKERS.add(pid)
        os.close(plan_r)
        os.close(res_w)
        ours += [plan_w, res_r]
        workers.append((pid, plan_w, res_r))
    return workers


def main_run(args):
    become_subreaper()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    print("seed %d (DH_KILL_SEED=%d reproduces the instants), %d jobs" % (seed, seed, args.jobs))
    t_start = time.monotonic()
    workers = start_workers(args)
    ctx = Ctx(args, 0)
    warm_up(ctx)
    ev, end = control(ctx)
    rng = random.Random(seed)
    # One instant in each of `instants` equal slices of [0, end): spread over
    # the run; each is replayed as "stable event k, then d seconds".
    plan = []
    for i in range(args.instants):
        u = (i + rng.random()) * end / args.instants
        k = max((j for j, (t, _) in enumerate(ev) if t <= u), default=-1)
        base_t = ev[k][0] if k >= 0 else 0.0
        plan.append((k, u - base_t, "event %d %s" % (k, describe(ev[k][1])) if k >= 0 else "start"))
    for _, plan_w, _ in workers:
        try:
            with os.fdopen(plan_w, "w") as f:
                json.dump(plan, f)
        except BrokenPipeError:
            pass  # that worker failed; seen below
    results = run_instants(ctx, plan, args.jobs)
    for pid, _, res_r in workers:
        with os.fdopen(res_r) as f:
            text = f.read()
        _, st = os.waitpid(pid, 0)
        WORKERS.discard(pid)
        if not text or st != 0:
            say("FAIL: worker %d ended with status %d\n" % (pid, st))
            return 1
        results.update({int(i): v for i, v in json.loads(text).items()})
    failed = {}
    for i in sorted(results):
        for c in results[i]:
            failed.setdefault(c, []).append(i)
    n_ok = args.instants - len({i for v in failed.values() for i in v})
    cpu = os.times()
    print("%d/%d instants passed in %.0f s, %.0f s of CPU (seed %d)" % (
        n_ok, args.instants, time.monotonic() - t_start,
        cpu.children_user + cpu.children_system, seed))
    for c in sorted(failed):
        print("  check %-13s failed at instants %s" % (c, " ".join(map(str, failed[c]))))
    return 0 if n_ok == args.instants else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("dir")
    r = sub.add_parser("run")
    r.add_argument("--template", required=True)
    r.add_argument("--runs", required=True)
    r.add_argument("--kill-url", required=True)
    r.add_argument("--resume-url", required=True)
    r.add_argument("--instants", type=int, default=25)
    r.add_argument("--seed", type=int)
    r.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if args.cmd == "prepare":
        prepare(args.dir)
        return 0
    return main_run(args)


if __name__ == "__main__":
    sys.exit(main())
