# The inbox looks at every unattended session, however many newer ones
# there are: a headless run whose file waits for review stays listed after
# 250 newer scheduled runs that ended done with nothing pending (it was left
# out past the 200 newest). A done run with nothing pending gets the
# dismissal mark as it is left out, so the next listing need not open its
# checkpoints; accepting the old run's file takes it off, and a new run of
# it brings it back.
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the digest"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "digest.md", "content": "# Week\n"}}]},
 {"text": "Wrote digest.md.", "stop_reason": "end_turn"},
 {"tool_calls": [{"name": "write_file", "input": {"path": "more.md", "content": "more\n"}}]},
 {"text": "Wrote more.md.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "write the digest" >"$T/run.out" \
  2>&1 || fail "run: $(cat "$T/run.out")"
S=$XDG_STATE_HOME/deskhand/sessions
old=$(ls "$S")
assert_eq "$("$DESKHAND" inbox --json | jq -r '.[].id')" "$old"

# 250 newer scheduled runs that ended done, nothing pending (their records
# only: none has a checkpoint in the folder's store)
python3 - "$S" "$G" <<'PY'
import json, os, sys, time
S, G = sys.argv[1], sys.argv[2]
base = int(time.time()) + 60
for i in range(250):
    t = base + i * 3600
    sid = time.strftime("%Y%m%d-%H%M%S", time.gmtime(t)) + "-%04x" % i
    os.makedirs(f"{S}/{sid}")
    with open(f"{S}/{sid}/meta.json", "w") as f:
        json.dump({"id": sid, "status": "done", "task": "digest", "model": "claude-sonnet-4-5",
                   "mode": "auto", "grants": [G], "turns": 1, "created": t, "updated": t,
                   "origin": "schedule:digest", "summary": "Nothing new."}, f)
PY
"$DESKHAND" inbox --json >"$T/inbox" 2>"$T/err" || fail "inbox: $(cat "$T/err")"
assert_eq "$(jq -r '.[].id' "$T/inbox")" "$old" "the inbox after 250 newer runs"
assert_eq "$(jq -r '.[0].pending' "$T/inbox")" 1
assert_contains "$("$DESKHAND" inbox)" "$old"
newest=$(ls "$S" | tail -1)
[ -s "$S/$newest/inbox-dismissed" ] || fail "no mark on a done run with nothing pending"
assert_eq "$(cat "$S/$newest/inbox-dismissed")" "$(jq -r .updated "$S/$newest/meta.json")"
[ ! -e "$S/$old/inbox-dismissed" ] || fail "the run waiting for review was marked"
# (listed again the same: the marks leave out what was left out)
"$DESKHAND" inbox --json >"$T/inbox2" || fail "inbox (again)"
assert_eq "$(jq -c . "$T/inbox2")" "$(jq -c . "$T/inbox")"

# accepted, it leaves; a new run of it brings it back
(cd "$G" && "$DESKHAND" accept --session "$old" >/dev/null 2>&1) || fail "accept"
assert_eq "$("$DESKHAND" inbox)" "inbox empty"
sleep 1 # (a new "updated" second)
"$DESKHAND" run --resume "$old" --approve-plan --mode auto "and more" >"$T/run2.out" 2>&1 \
  || fail "resume: $(cat "$T/run2.out")"
assert_eq "$("$DESKHAND" inbox --json | jq -r '.[] | "\(.id) \(.pending)"')" "$old 1"
echo ok
