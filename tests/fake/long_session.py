#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A long scripted session for the fake Anthropic server, and its checks.

  long_session.py script DIR TURNS WINDOW FILE_BYTES [BYTES_PER_TOKEN] > SCRIPT.json
      writes DIR/parts/pNNN.txt (FILE_BYTES of varied prose each, one per turn)
      and prints a script: a plan of six steps, then TURNS turns that each
      read one part (read_file) and now and then write a note file
      (write_file) or move the plan along (update_plan), then end_turn; then
      one more end_turn turn for a --resume. The fake's declared window is
      WINDOW tokens (its estimate: a request's JSON bytes / 4, or / BYTES_PER_TOKEN,
      which it then reports as each answer's input tokens: a provider that
      counts more than deskhand estimates, as it must learn).

  long_session.py check SCRIPT.json FAKE_LOG TRANSCRIPT [MIN_COMPACTIONS]
      checks what the fake received and what the transcript holds: every
      request under the window and answered (no 400), the tool results
      together well over the window (at least 3 times), at least
      MIN_COMPACTIONS (default 2) compaction requests, and in every request
      that begins with a compaction note: the person's task verbatim, the
      plan as the last update_plan before it left it, and every file written
      before it (in the note's list, or in the messages kept verbatim).
      Prints one line of figures; exits 1 naming the first request at fault.
"""

import json
import os
import sys

TASK = "summarise the parts into notes please"
STEPS = ["Read the first parts", "Write the first notes", "Read the middle parts",
         "Write the middle notes", "Read the last parts", "Write the summary"]
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
         "november oscar papa quebec romeo sierra tango uniform victor whiskey xray").split()


def part_text(k, size):
    """size bytes of varied prose for part k (words and numbers, lines of ~70)."""
    out, i = [], 0
    n = 0
    while n < size:
        line = " ".join("%s%d" % (WORDS[(i * 7 + k + j) % len(WORDS)], (i * 13 + j) % 997)
                        for j in range(8)) + ".\n"
        out.append(line)
        n += len(line)
        i += 1
    return "".join(out)[:size - 1] + "\n"


def plan_at(frac):
    """The plan's statuses when `frac` (0..1) of the turns are done."""
    done = int(frac * len(STEPS))
    return [{"title": t, "status": "done" if i < done else
             "in_progress" if i == done else "pending"} for i, t in enumerate(STEPS)]


def make_script(d, turns, window, size, bytes_per_token=None):
    os.makedirs(os.path.join(d, "parts"), exist_ok=True)
    os.makedirs(os.path.join(d, "notes"), exist_ok=True)
    for k in range(turns):
        with open(os.path.join(d, "parts", "p%03d.txt" % k), "w") as f:
            f.write(part_text(k, size))
    script = [{"text": "A plan first.",
               "tool_calls": [{"name": "propose_plan",
                               "input": {"steps": [{"title": t} for t in STEPS]}}]}]
    step = max(1, turns // len(STEPS))
    plan = None
    for k in range(turns):
        calls = [{"name": "read_file", "input": {"path": "parts/p%03d.txt" % k}}]
        if k % step == 0:
            plan = plan_at(k / turns)
            calls.insert(0, {"name": "update_plan", "input": {"steps": plan}})
        if k % 10 == 9:
            calls.append({"name": "write_file",
                          "input": {"path": "notes/n%03d.md" % k,
                                    "content": "Notes on parts %d to %d.\n" % (k - 9, k)}})
        script.append({"text": "Reading part %d." % k, "tool_calls": calls})
    want = "".join("[%s] %s" % (s["status"], s["title"]) for s in plan[:1])
    script.append({"text": "All parts read.", "stop_reason": "end_turn",
                   "expect": {"body_contains": want}})
    script.append({"text": "Resumed.", "stop_reason": "end_turn",
                   "expect": {"body_contains": TASK}})
    out = {"window": window, "turns": script}
    if bytes_per_token:
        out.update({"bytes_per_token": bytes_per_token, "input_usage": "estimate"})
    return out


def is_compaction(body):
    s = body.get("system")
    if isinstance(s, list):
        s = "".join(b.get("text", "") for b in s if isinstance(b, dict))
    return isinstance(s, str) and s.startswith("You summarise")


def blocks(m):
    c = m.get("content")
    return [{"type": "text", "text": c}] if isinstance(c, str) else c or []


def check(script_path, log_path, transcript_path, min_comp=2):
    script = json.load(open(script_path))
    window, turns = script["window"], script["turns"]
    reqs = [json.loads(line) for line in open(log_path)]
    usage = {}
    if os.path.exists(log_path + ".usage"):
        usage = {u["n"]: u for u in map(json.loads, open(log_path + ".usage"))}

    def bad(what, r=None):
        sys.exit("FAIL: %s%s" % ("request %d: " % r["n"] if r else "", what))

    biggest = max(r["tokens"] for r in reqs)
    if biggest > window:
        bad("%d tokens, over the window of %d" % (biggest, window))
    answered = [r for r in reqs if r["n"] in usage]
    if usage and len(answered) != len(reqs):
        bad("%d of %d requests were not answered" % (len(reqs) - len(answered), len(reqs)))
    comps = [r for r in reqs if is_compaction(r["body"])]
    main = [r for r in reqs if not is_compaction(r["body"])]
    if len(comps) < min_comp:
        bad("%d compaction requests, expected at least %d" % (len(comps), min_comp))
    # the n-th main request is answered with turn n: it carries turns [0, n)
    notes, last_note = 0, None
    for i, r in enumerate(main):
        msgs = r["body"]["messages"]
        # its texts: a cache breakpoint may come and go on the same note
        first = json.dumps([b.get("text") for b in blocks(msgs[0])], ensure_ascii=False)
        if "was compacted" not in first or first == last_note:
            continue  # a note is checked in the first request that carries it
        notes += 1
        last_note = first
        if TASK not in first:
            bad("the note lacks the task", r)
        plan = None
        written = []
        for t in turns[:i]:
            for c in t.get("tool_calls") or []:
                if c["name"] == "update_plan":
                    plan = c["input"]["steps"]
                if c["name"] == "write_file":
                    written.append(c["input"]["path"])
        if plan:
            want = "".join("%d. [%s] %s\n" % (j + 1, s["status"], s["title"])
                           for j, s in enumerate(plan))
            if "The plan as it stands:\\n" + want.replace("\n", "\\n") not in first:
                bad("the note's plan is not %r" % want, r)
        body = json.dumps(r["body"], ensure_ascii=False)
        for p in written:
            if p not in body:
                bad("the file %s written earlier is named nowhere" % p, r)
    if notes == 0:
        bad("no request began with a compaction note")
    results = 0
    ncompacted = 0
    for line in open(transcript_path):
        rec = json.loads(line)
        if rec.get("type") == "tool_result" and rec.get("name") == "read_file":
            results += len(rec.get("output") or "")
        ncompacted += rec.get("type") == "history_compact"
    if results < 3 * 4 * window:
        bad("tool results of %d bytes, not well over the window" % results)
    if ncompacted != len(comps):
        bad("%d history_compact records for %d compactions" % (ncompacted, len(comps)))
    print("%d requests (%d compactions), largest %d tokens of a %d-token window, "
          "%d requests began with a note, read_file results %d bytes (~%d tokens)"
          % (len(reqs), len(comps), biggest, window, notes, results, results // 4))


def main():
    if len(sys.argv) in (6, 7) and sys.argv[1] == "script":
        d, n, w, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        bpt = float(sys.argv[6]) if len(sys.argv) > 6 else None
        json.dump(make_script(d, n, w, size, bpt), sys.stdout)
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 2)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
