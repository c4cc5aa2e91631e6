#!/usr/bin/env python3
"""Kill an engine in the gap of a new session's first start (tests/lib.sh
kill_in_first_start).

  kill_first_start.py TASK_FILE GRANT...

Spawns a detached engine on the GRANTs (plan approved, auto mode), starts
the task whose text is TASK_FILE's bytes (UTF-8), and kills the engine with
SIGKILL once the session's directory exists (its meta.json, under its own
name: a session is built under a dot name and renamed into place), while
the task's skills are still being read: before the task's text reached the
transcript. Prints "killed"; exits non-zero, saying why, otherwise.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server_client as sc  # noqa: E402

with open(sys.argv[1], encoding="utf-8") as f:
    task = f.read()
line, pid = sc.spawn(sys.argv[2:] + ["--approve-plan", "--mode", "auto"])
assert line.startswith("ok"), line
name = [f[:-5] for f in os.listdir(sc.sockdir()) if f.endswith(".sock")][0]
s = sc.connect(name)
sc.hello(s, "t")
sc.send(s, {"type": "start", "text": task, "id": "go"})
sessions = os.path.join(os.environ["XDG_STATE_HOME"], "deskhand", "sessions")
for _ in range(6000):
    if os.path.isdir(sessions) and any(os.path.exists(os.path.join(sessions, d, "meta.json"))
                                       for d in os.listdir(sessions) if not d.startswith(".")):
        break
    time.sleep(0.005)
else:
    sys.exit("no session was created")
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
print("killed")
