# A person's edit that a checkpoint recorded stays in the way of reject,
# reject-hunk and restore however many checkpoints came since: one recording
# another file's edit (every verb records the folder first), or a reject-hunk
# of another hunk of the same file (which keeps the file's other lines, the
# person's with them). Each is refused as a conflict (exit 3, nothing
# written), as it is with no checkpoint in between, instead of silently
# writing the agent's or the accepted version over the person's lines.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
printf 'bee\n' > "$G/b.txt"
printf 'sea\n' > "$G/c.txt"
seq 1 30 > "$G/a.txt"
seq 1 30 > "$G/d.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_r", "input": {"command":
   "echo BEE > b.txt && sed -i 's/^5$/FIVE/; s/^25$/TWENTYFIVE/' a.txt d.txt"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
cd "$G"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "Edit" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(cat b.txt)" BEE "b.txt after the session"
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"
status() { local rc=0; "$@" >"$T/st.out" 2>"$T/st.err" || rc=$?; echo "$rc"; }

# 1. The person's line in b.txt is recorded (by review), then another file
# changes and is recorded too (by the reject itself).
echo mine >> b.txt
"$DESKHAND" review >/dev/null 2>&1 || fail "review"
echo other > c.txt
assert_eq "$(status "$DESKHAND" reject b.txt)" 3 \
  "reject over a recorded edit, another file's edit recorded since"
assert_contains "$(cat "$T/st.out")" "+mine"
assert_eq "$(cat b.txt)" "$(printf 'BEE\nmine')" "b.txt after the refused reject"
assert_eq "$(status "$DESKHAND" restore baseline)" 3 "restore over the recorded edit"
assert_eq "$(cat b.txt)" "$(printf 'BEE\nmine')" "b.txt after the refused restore"
assert_eq "$(cat c.txt)" other "c.txt after the refused restore"

# 2. The person fixes line 15 of a.txt (in no hunk of the agent's); a
# reject-hunk of the agent's FIVE keeps it, and so must a reject of the file.
sed -i 's/^15$/fifteen/' a.txt
out=$("$DESKHAND" reject-hunk a.txt 1 2>&1) || { echo "$out"; fail "reject-hunk 1 of a.txt"; }
assert_eq "$(sed -n '5p;15p;25p' a.txt | tr '\n' ' ')" "5 fifteen TWENTYFIVE " \
  "a.txt after reject-hunk 1"
assert_eq "$(status "$DESKHAND" reject a.txt)" 3 "reject of a.txt after a reject-hunk"
assert_contains "$(cat "$T/st.out")" "+fifteen"
assert_eq "$(sed -n 15p a.txt)" fifteen "the person's line after the refused reject"
assert_eq "$(status "$DESKHAND" restore baseline)" 3 "restore after a reject-hunk"
assert_eq "$(sed -n 15p a.txt)" fifteen "the person's line after the refused restore"
# another hunk of the agent's, away from the edit, still goes
out=$("$DESKHAND" reject-hunk a.txt 2 2>&1) || { echo "$out"; fail "reject-hunk of TWENTYFIVE"; }
assert_eq "$(sed -n '15p;25p' a.txt | tr '\n' ' ')" "fifteen 25 " \
  "a.txt after the second reject-hunk"

# 3. The person rewrites the agent's TWENTYFIVE in d.txt; a reject-hunk of
# the agent's FIVE goes, then the person's line is the one hunk left:
# rejecting it is a conflict.
sed -i 's/^TWENTYFIVE$/xx/' d.txt
out=$("$DESKHAND" reject-hunk d.txt 1 2>&1) || { echo "$out"; fail "reject-hunk of FIVE in d.txt"; }
assert_eq "$(sed -n '5p;25p' d.txt | tr '\n' ' ')" "5 xx " "d.txt after reject-hunk 1"
assert_eq "$(status "$DESKHAND" reject-hunk d.txt 1)" 3 "reject-hunk of the person's rewritten line"
assert_eq "$(sed -n 25p d.txt)" xx "the person's line after the refused reject-hunk"

# --force still overwrites.
"$DESKHAND" reject --force b.txt >/dev/null 2>&1 || fail "reject --force"
assert_eq "$(cat b.txt)" bee "b.txt after reject --force"
echo ok
