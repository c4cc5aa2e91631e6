# A client that attaches while the model's answer streams: text_delta events
# are not in the transcript, so after the history the engine sends the
# answer so far as one text_delta; the live deltas then complete it, and the
# client has the whole answer (the workbench showed only its end before).
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"; export G
# The answer's first delta, then nothing until the client has its history
# (the file $T/go), however slow the machine.
cat > "$T/script.json" <<JSON
{"turns": [
 {"text": "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu END", "text_step": 12,
  "text_pause_file": "$T/go", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
ready=$(python3 "$PY" spawn --grant "$G" --mode auto "talk") || fail "spawn: $ready"
id=${ready#ok }
TR=$XDG_STATE_HOME/deskhand/sessions/$id/transcript.jsonl
for _ in $(seq 1 200); do grep -q '"turn_started"' "$TR" 2>/dev/null && break; sleep 0.05; done
grep -q '"turn_started"' "$TR" || fail "the request did not go out"
python3 - "$id" "$T/go" <<'PY' || fail "client checks failed"
import os, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
sid = sys.argv[1]
whole = "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu END"
# attach once the first delta has reached the engine
until = time.time() + 20
while True:
    a = sc.connect(sid)
    h, hist, end, r = sc.hello(a, "late")
    last = hist[-1]
    if last["type"] == "text_delta" or time.time() > until:
        break
    a.close()
    time.sleep(0.1)
assert last["type"] == "text_delta", hist[-3:]
open(sys.argv[2], "w").close()
so_far = last["text"]
assert so_far and whole.startswith(so_far) and so_far != whole, so_far
assert end["records"] == len(hist), (end, len(hist))
live = r.until(lambda e: e.get("type") == "assistant_message")
text = so_far + "".join(e["text"] for e in live if e.get("type") == "text_delta")
assert text == whole, text
assert live[-1]["text"] == whole, live[-1]
r.until(lambda e: e.get("type") == "session_finished")
a.close()
PY
echo ok
