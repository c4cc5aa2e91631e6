# A session named by its whole id is found without reading every other
# session's record: `deskhand review --session ID` opens no other session's
# meta.json (it read each of them twice, to order them all). A prefix still
# picks the one session it names, an id that is also the prefix of another
# still names itself, and an ambiguous prefix is still refused.
. "$DH_TESTS/lib.sh"
command -v strace >/dev/null || fail "strace is missing (make deps installs it)"
G=$T/notes; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write it"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.md", "content": "a\n"}}]},
 {"text": "Wrote a.md.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "write a" >"$T/run.out" 2>&1 \
  || fail "run: $(cat "$T/run.out")"
S=$XDG_STATE_HOME/deskhand/sessions
ID=$(ls "$S")
# 30 other sessions' records, one of them named ID-x (ID is its prefix)
python3 - "$S" "$G" "$ID" <<'PY'
import json, os, sys
S, G, ID = sys.argv[1:]
for i in range(30):
    sid = ID + "-x" if i == 0 else "20200101-0000%02d-%04x" % (i, i)
    os.makedirs(f"{S}/{sid}")
    with open(f"{S}/{sid}/meta.json", "w") as f:
        json.dump({"id": sid, "status": "done", "task": "t", "model": "claude-sonnet-4-5",
                   "mode": "auto", "grants": [G], "turns": 1, "created": 1577836800 + i,
                   "updated": 1577836800 + i, "origin": "run"}, f)
PY
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  strace -f -qq -e trace=openat,open -o "$T/strace" \
  "$DESKHAND" review --session "$ID" >"$T/review" 2>"$T/err" || fail "review: $(cat "$T/err")"
assert_contains "$(cat "$T/review")" "a.md"
others=$(grep -F '/meta.json' "$T/strace" | grep -vF "/sessions/$ID/meta.json" || true)
assert_eq "$others" "" "other sessions' records opened by review --session ID"
# the id names itself, though it is the prefix of ID-x
assert_contains "$("$DESKHAND" review --session "$ID" 2>&1)" "a.md"
# a unique prefix still resolves; an ambiguous one is refused
assert_contains "$("$DESKHAND" review --session "${ID%????}" 2>&1 || true)" "ambiguous"
assert_contains "$("$DESKHAND" review --session "20200101-000007" 2>&1 || true)" \
  "session 20200101-000007-0007"
echo ok
