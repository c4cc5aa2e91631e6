#!/usr/bin/env python3
"""Generate a scripted N-turn session for the fake Anthropic server: a plan,
then turns that write, edit, list, search and run commands, then end_turn."""
import json, sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
turns = [{"text": "Planning.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "step %d" % i} for i in range(1, 4)]}}]}]
for t in range(2, n):
    k = t % 4
    if k == 0:
        calls = [{"name": "write_file", "input": {"path": "out/f%02d.txt" % t, "content": ("line %d\n" % t) * 200}}]
    elif k == 1:
        calls = [{"name": "edit_file", "input": {"path": "out/f%02d.txt" % (t - 1), "old_string": "line %d\n" % (t - 1), "new_string": "LINE %d\n" % (t - 1), "replace_all": True}}]
    elif k == 2:
        calls = [{"name": "run_command", "input": {"command": "mkdir -p out && ls out | wc -l > out/count.txt && cat out/count.txt"}}]
    else:
        calls = [{"name": "list_files", "input": {}}, {"name": "search_files", "input": {"pattern": "LINE [0-9]+", "glob": "*.txt"}}]
    turns.append({"text": "Turn %d: working. " % t + "Some streamed prose. " * 20, "tool_calls": calls})
turns.append({"text": "All %d turns done." % n, "stop_reason": "end_turn"})
json.dump({"turns": turns}, sys.stdout)
