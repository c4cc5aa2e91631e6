# `deskhand audit verify` of a session whose engine is still writing: the
# engine appends a record, then writes the keyed head that holds it. Verify
# read the log, then the head: a record and its head landing in between
# made a head that names a record the log it read lacked, reported as
# "truncated: the log ends at record N but its keyed head is at record N+1"
# (exit 1), a false alarm. It reads the head first now. An engine's writes
# are replayed here, record by record, each followed by its head, from a
# finished session's log (a record's hash is the next one's prev), while
# verify runs over and over.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
python3 - "$T/script.json" <<'PY'
import json, sys
turns = [{"tool_calls": [{"name": "read_file", "input": {"path": "f%d-%d" % (i, j)}}
                        for j in range(4)]} for i in range(60)]
turns.append({"text": "done", "stop_reason": "end_turn"})
json.dump({"turns": turns}, open(sys.argv[1], "w"))
PY
run_task "$T/script.json" "$T/out"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
D=$XDG_STATE_HOME/deskhand/sessions/$sid
"$DESKHAND" audit verify "$sid" >/dev/null || fail "verify failed on the finished log"
cp "$D/audit.jsonl" "$T/log"; cp "$D/audit.head" "$T/head"
: > "$D/audit.jsonl"; rm "$D/audit.head"

# the engine's writes: record k, then the head at record k
python3 - "$T/log" "$T/head" "$XDG_STATE_HOME/deskhand/audit.key" "$D" "$sid" "$T/done" <<'PY' &
import hashlib, hmac, json, os, sys, time
log, head, keyf, d, sid, done = sys.argv[1:]
lines = open(log, "rb").read().splitlines(keepends=True)
hashes = [json.loads(l)["prev"] for l in lines[1:]] + [json.load(open(head))["hash"]]
key = bytes.fromhex(open(keyf).read().strip())
kid = json.load(open(head))["key"]
fd = os.open(d + "/audit.jsonl", os.O_WRONLY | os.O_APPEND)
for k, line in enumerate(lines, 1):
    os.write(fd, line)
    msg = "deskhand-audit-head v1\n%s\n%d\n%s" % (sid, k, hashes[k - 1])
    mac = hmac.new(key, msg.encode(), hashlib.sha256).hexdigest()
    h = json.dumps({"session": sid, "seq": k, "hash": hashes[k - 1], "hmac": mac, "key": kid},
                   separators=(",", ":"))
    with open(d + "/audit.head.tmp", "w") as f:
        f.write(h + "\n")
    os.rename(d + "/audit.head.tmp", d + "/audit.head")
    time.sleep(0.0005)
open(done, "w").close()
PY
writer=$!
until [ -e "$D/audit.head" ]; do sleep 0.01; done
runs=0
while [ ! -e "$T/done" ]; do
  "$DESKHAND" audit verify "$sid" >>"$T/verify" 2>&1 || true
  runs=$((runs + 1))
done
wait "$writer" || fail "the writer failed"
[ "$runs" -ge 3 ] || fail "verify ran only $runs times while the log was written"
assert_not_contains "$(cat "$T/verify")" "but its keyed head is at record"
v=$("$DESKHAND" audit verify "$sid") || fail "verify failed on the replayed log: $v"
assert_contains "$v" "$sid: ok: $(wc -l <"$T/log") records, keyed head at record $(wc -l <"$T/log")"
echo ok
