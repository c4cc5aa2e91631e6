# A client that attaches while the model's answer streams after a retry (the
# first attempt's stream was cut): the retry dropped the text streamed so
# far, so the answer so far the engine sends the client is the second
# attempt's alone, not the cut text in front of it.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"; export G
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "cut_mid_text", "text": "Half an ans"},
 {"text": "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu END", "text_step": 12,
  "text_pause_ms": 2500, "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
PY=$DH_TESTS/integ/server_client.py
ready=$(python3 "$PY" spawn --grant "$G" --mode auto "talk") || fail "spawn: $ready"
id=${ready#ok }
TR=$XDG_STATE_HOME/deskhand/sessions/$id/transcript.jsonl
for _ in $(seq 1 200); do grep -q '"retry"' "$TR" 2>/dev/null && break; sleep 0.05; done
grep -q '"retry"' "$TR" || fail "the cut stream was not retried"
wait_requests 2 || fail "the retry did not go out"
sleep 0.5 # the retry's first delta reaches the engine; the rest waits for the pause
python3 - "$id" <<'PY' || fail "client checks failed"
import os, sys
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
sid = sys.argv[1]
whole = "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu END"
a = sc.connect(sid)
h, hist, end, r = sc.hello(a, "late")
last = hist[-1]
assert last["type"] == "text_delta", hist[-3:]
so_far = last["text"]
assert "Half" not in so_far, "the cut text is in the answer so far: %r" % so_far
assert so_far and whole.startswith(so_far) and so_far != whole, so_far
live = r.until(lambda e: e.get("type") == "assistant_message")
text = so_far + "".join(e["text"] for e in live if e.get("type") == "text_delta")
assert text == whole, text
assert live[-1]["text"] == whole, live[-1]
r.until(lambda e: e.get("type") == "session_finished")
a.close()
PY
echo ok
