# The review and history commands name a granted folder printable: a
# folder that came named "dir<ESC>]0;PWN<BEL>" (an archive, a clone) set
# the terminal's title from the "session ... (grant ...)" line, review's
# "N files pending in", accept's "accepted N files", log's heading and
# restore's conflict. --json keeps the exact path.
. "$DH_TESTS/lib.sh"
G=$T/$'dir\e]0;PWN\a'; mkdir -p "$G"; echo base > "$G/f.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_r", "input": {"command": "echo more >> f.txt && echo new > g.txt"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "edit" >"$T/run.out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
[ -e "$G/g.txt" ] || fail "the session did not run"
cd "$G"
shown="$T/dir^[]0;PWN^G"
clean() { # NAME FILE
  if grep -q $'\033\|\a' "$2"; then cat -v "$2"; fail "$1 printed a control"; fi
}
"$DESKHAND" review >"$T/review.out" 2>&1 || fail "review failed"
clean review "$T/review.out"
assert_contains "$(cat "$T/review.out")" "(grant $shown)"
assert_contains "$(cat "$T/review.out")" "2 files pending in $shown"
"$DESKHAND" log >"$T/log.out" 2>&1 || fail "log failed"
clean log "$T/log.out"
assert_contains "$(cat "$T/log.out")" "$shown"
"$DESKHAND" accept g.txt >"$T/accept.out" 2>&1 || fail "accept failed"
clean accept "$T/accept.out"
assert_contains "$(cat "$T/accept.out")" "$shown: accepted 1 file"
echo mine >> f.txt
rc=0; TMPDIR=$T "$DESKHAND" reject f.txt >"$T/reject.out" 2>&1 || rc=$?
assert_eq "$rc" 3 "reject of a file changed since: $(cat -v "$T/reject.out")"
clean "reject (conflict)" "$T/reject.out"
assert_contains "$(cat "$T/reject.out")" "$shown: conflict"
assert_eq "$("$DESKHAND" review --json 2>/dev/null | jq -r '.grants[0].grant // .grants[0].path')" "$G" "the grant in --json"
echo ok
