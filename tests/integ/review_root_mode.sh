# The granted folder's own mode change is addressed alone by the path the
# review prints for it, './'. A run_command edits a.txt and does `chmod 555
# .`; the review lists `T ./` and `M a.txt`. `deskhand reject ./` sets the
# folder back to 0755 and leaves the edit, and the review then lists a.txt
# only; after a restore of that step, `deskhand accept ./` takes the mode
# change alone: the folder stays 0555 and a.txt is still pending. reject-hunk
# on './' says it has no hunks; '.' still selects everything.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub"
echo before > "$G/a.txt"; echo b > "$G/sub/b.txt"
chmod 755 "$G" "$G/sub"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "lock"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_555", "input": {"command": "echo after > a.txt && chmod 555 ."}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
cd "$T"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "lock" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(stat -c %a "$G") $(cat "$G/a.txt")" "555 after" "the folder after the command"
cd "$G"
pending() { "$DESKHAND" review --json | jq -r '[.grants[].files[] | .status + " " + .path] | join(", ")'; }
assert_eq "$(pending)" "T ./, M a.txt" "the review after the command"
# reject-hunk: the folder's mode has no hunks
rc=0; "$DESKHAND" reject-hunk ./ 1 >"$T/rh.out" 2>&1 || rc=$?
assert_eq "$rc" 1 "exit status of reject-hunk ./ 1"
assert_contains "$(cat "$T/rh.out")" "./ is a directory"
assert_eq "$(stat -c %a "$G") $(cat "$G/a.txt")" "555 after" "the folder after reject-hunk ./"
# reject ./: the mode alone
out=$("$DESKHAND" reject ./ 2>&1) || { echo "$out"; fail "reject ./ failed"; }
echo "$out"
assert_contains "$out" "restored ./ (mode 0755)"
assert_contains "$out" "rejected 1 path"
assert_eq "$(stat -c %a "$G") $(cat "$G/a.txt")" "755 after" "the folder after reject ./"
assert_eq "$(pending)" "M a.txt" "the review after reject ./"
# back to the step's state: both pending again
step=$("$DESKHAND" log --json | jq -r '.[] | select(.tool_call=="toolu_555") | .id')
out=$("$DESKHAND" restore "$step" 2>&1) || { echo "$out"; fail "restore failed"; }
assert_eq "$(stat -c %a "$G") $(cat "$G/a.txt")" "555 after" "the folder after the restore"
assert_eq "$(pending)" "T ./, M a.txt" "the review after the restore"
# accept ./ (the folder's path spelled GRANT/./ works the same): the mode alone
out=$("$DESKHAND" accept "$G/./" 2>&1) || { echo "$out"; fail "accept ./ failed"; }
assert_contains "$out" "accepted 1 file"
assert_eq "$(pending)" "M a.txt" "the review after accept ./"
assert_eq "$(stat -c %a "$G") $(cat "$G/a.txt")" "555 after" "the folder after accept ./"
# '.' is everything in the folder
out=$("$DESKHAND" accept . 2>&1) || { echo "$out"; fail "accept . failed"; }
assert_eq "$(pending)" "" "the review after accept ."
assert_contains "$("$DESKHAND" reject --help)" "'./' (as 'deskhand review' prints it)"
assert_contains "$("$DESKHAND" accept --help)" "'./' (as 'deskhand review' prints it)"
echo ok
