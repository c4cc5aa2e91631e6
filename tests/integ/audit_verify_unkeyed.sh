# `deskhand audit verify` of a session just started: its engine appends the
# first record, then writes the keyed head that holds it. Verify in between
# found the log with no audit.head and said "bad head: ...: no keyed head",
# exit 1, a false alarm of tampering. A running session whose first head is
# not there yet verifies what is written and says it is not keyed yet; once
# the session ended, a missing head is still a bad head.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
# the answer waits for $T/go: the session stays running meanwhile
cat >"$T/script.json" <<JSON
{"turns": [{"text": "done and dusted", "text_pause_file": "$T/go", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "task" >"$T/out" 2>"$T/err" &
RUN_PID=$!
trap 'touch "$T/go"; wait "$RUN_PID" 2>/dev/null; cleanup' EXIT
sid=
for _ in $(seq 1 400); do
  sid=$(jq -r 'select(.type=="session_started").session' "$T/out" 2>/dev/null | head -1)
  # the answer under way and the baseline checkpoint taken: no record comes
  [ -n "$sid" ] && [ -s "$XDG_STATE_HOME/deskhand/sessions/$sid/audit.head" ] &&
    grep -q '"text_delta"' "$T/out" &&
    grep -q '"type":"checkpoint"' "$XDG_STATE_HOME/deskhand/sessions/$sid/audit.jsonl" && break
  sleep 0.05
done
D=$XDG_STATE_HOME/deskhand/sessions/$sid
[ -s "$D/audit.head" ] || fail "the session did not start: $(tail -5 "$T/err")"
# the state between the first record and its head
rm "$D/audit.head"
rc=0; v=$("$DESKHAND" audit verify "$sid" 2>&1) || rc=$?
assert_eq "$rc" 0 "$v"
assert_eq "$v" "$sid: ok: 2 records, not keyed yet (the session is running: its engine has \
not written its first keyed head)"
assert_not_contains "$v" "bad head"
# a record changed is still found while the head is not there (changed in
# place, and back: the engine appends to this very file)
flip() {
  python3 - "$D/audit.jsonl" "$1" "$2" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    b = f.read()
    i = b.index(sys.argv[2].encode())
    f.seek(i)
    f.write(sys.argv[3].encode())
PY
}
flip '"session_start"' '"session_stxrt"'
rc=0; v=$("$DESKHAND" audit verify "$sid" 2>&1) || rc=$?
flip '"session_stxrt"' '"session_start"'
assert_eq "$rc" 1 "$v"
assert_contains "$v" "$sid: modified: record 1 was modified"

touch "$T/go"
wait "$RUN_PID" || fail "run failed: $(tail -5 "$T/err")"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done
v=$("$DESKHAND" audit verify "$sid") || fail "verify failed on the finished log: $v"
assert_contains "$v" "$sid: ok:"
# a session that ended has its head: without it, the log is not vouched for
rm "$D/audit.head"
rc=0; v=$("$DESKHAND" audit verify "$sid" 2>&1) || rc=$?
assert_eq "$rc" 1 "$v"
assert_contains "$v" "$sid: bad head: $D/audit.head: no keyed head"
echo ok
