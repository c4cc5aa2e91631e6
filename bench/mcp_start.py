#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make bench, connectors (issue 12): time from `deskhand run` to the first
model request (the fake server's first logged request) with no connector,
with 3 stdio connectors (sandboxed, started side by side), and with 3 of
which one is slow (answers nothing for 10 s): the first request waits for a
slow one at most MCP_HOST_WAIT_MS (2 s); its tools join a later request.

  mcp_start.py DESKHAND WORKDIR [RUNS]
"""
import json
import os
import statistics
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
FAKE_MCP = os.path.join(root, "tests", "fake", "mcp_fake_server.py")


def start_fake(tmp, script):
    port = os.path.join(tmp, "port")
    log = os.path.join(tmp, "fake.log")
    for p in (port, log):
        if os.path.exists(p):
            os.unlink(p)
    with open(os.path.join(tmp, "script.json"), "w") as f:
        json.dump(script, f)
    fake = subprocess.Popen([sys.executable, os.path.join(root, "tests", "fake", "anthropic_server.py"),
                             "--script", os.path.join(tmp, "script.json"), "--log", log,
                             "--port-file", port], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(400):
        if os.path.exists(port) and os.path.getsize(port) > 0:
            break
        time.sleep(0.01)
    with open(port) as f:
        return fake, log, "http://127.0.0.1:%s" % f.read().strip()


def one(deskhand, work, tmp, servers):
    cfg = os.path.join(os.environ["XDG_CONFIG_HOME"], "deskhand")
    os.makedirs(cfg, exist_ok=True)
    with open(os.path.join(cfg, "mcp.json"), "w") as f:
        json.dump({"mcpServers": servers}, f)
    fake, log, url = start_fake(tmp, {"turns": [{"text": "ok", "stop_reason": "end_turn"}]})
    env = dict(os.environ, ANTHROPIC_BASE_URL=url, ANTHROPIC_API_KEY="bench")
    env.pop("DH_MCP_WAIT_MS", None)
    t0 = time.monotonic()
    p = subprocess.Popen([deskhand, "run", "--grant", work, "--json", "bench"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ms = None
    while p.poll() is None or ms is None:
        if os.path.exists(log) and os.path.getsize(log) > 0:
            ms = (time.monotonic() - t0) * 1000
            break
        if p.poll() is not None:
            break
        time.sleep(0.001)
    p.wait()
    tools = 0
    if os.path.exists(log):
        with open(log) as f:
            first = f.readline()
        if first:
            tools = sum(1 for t in json.loads(first)["body"]["tools"] if t["name"].startswith("mcp__"))
    fake.kill()
    fake.wait()
    return ms, tools


def main():
    deskhand, work = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    tmp = os.path.join(os.path.dirname(work), "mcp-bench")
    os.makedirs(tmp, exist_ok=True)
    os.makedirs(work, exist_ok=True)

    def srv(*extra):
        return {"command": "python3", "args": [FAKE_MCP] + list(extra)}

    cases = [
        ("no connector", {}),
        ("3 stdio connectors", {"a": srv(), "b": srv(), "c": srv()}),
        ("3 stdio connectors, one slow (10 s)", {"a": srv(), "b": srv(), "slow": srv("--delay-start", "10")}),
    ]
    for name, servers in cases:
        res = [one(deskhand, work, tmp, servers) for _ in range(runs)]
        ms = [r[0] for r in res if r[0] is not None]
        tools = sorted({r[1] for r in res})
        if not ms:
            print("%-38s no request reached the model" % name)
            continue
        print("%-38s first request after %6.0f ms median (min %.0f, max %.0f; %d runs), "
              "connector tools in it: %s" % (name, statistics.median(ms), min(ms), max(ms), len(ms),
                                              "/".join(map(str, tools))))


if __name__ == "__main__":
    main()
