# reject-hunk of a hunk that the person's own edit touches, once a checkpoint
# has recorded the edit (every verb records the folder first, as external
# changes): it is refused as a conflict (exit 3, nothing written), as `reject`
# of the file is, instead of reverting the person's lines with the hunk or,
# the hunks renumbered by the edit, reverting the person's hunk under the
# number read before it. --force then reverts the hunk named, in the person's
# version. A hunk of the agent's away from the edit goes without a conflict,
# the person's edit kept.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
for i in $(seq 1 60); do echo "line $i"; done > "$G/a.txt"
printf 'bee\n' > "$G/b.txt"
new_a=$(sed 's/^line 2$/LINE 2/; s/^line 30$/LINE 30/; s/^line 58$/LINE 58/' "$G/a.txt")
jq -n --arg a "$new_a" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_w", "input": {"path": "a.txt", "content": ($a + "\n")}}]},
 {"tool_calls": [{"name": "edit_file", "id": "toolu_e", "input": {"path": "b.txt", "old_string": "bee", "new_string": "BEE"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
cd "$G"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "Edit" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"

# 1. The person adds a line to b.txt, whose one hunk is the agent's bee -> BEE.
echo mine >> b.txt
rc=0; "$DESKHAND" reject b.txt >"$T/rj.out" 2>&1 || rc=$?
assert_eq "$rc" 3 "exit status of reject over the person's line"
rc=0; "$DESKHAND" reject-hunk b.txt 1 >"$T/rh.out" 2>"$T/rh.err" || rc=$?
cat "$T/rh.out" "$T/rh.err"
assert_eq "$rc" 3 "exit status of reject-hunk over the person's recorded line"
assert_contains "$(cat "$T/rh.err")" "b.txt"
assert_contains "$(cat "$T/rh.out")" "+mine"
assert_eq "$(cat b.txt)" "$(printf 'BEE\nmine')" "b.txt after the refused reject-hunk"
rc=0; "$DESKHAND" reject-hunk --json b.txt 1 >"$T/rh.json" 2>/dev/null || rc=$?
assert_eq "$rc" 3 "exit status of reject-hunk --json"
assert_eq "$(jq -r '.status' "$T/rh.json")" "conflict" "--json status"
assert_eq "$(cat b.txt)" "$(printf 'BEE\nmine')" "b.txt after the refused reject-hunk --json"

# 2. The person reads the review (hunk 2 is LINE 30), then fixes line 15 by
# hand: recorded, that edit would be hunk 2.
assert_contains "$("$DESKHAND" review a.txt 2>/dev/null | grep -A5 'hunk 2')" "+LINE 30"
sed -i 's/^line 15$/line 15 -- my fix/' a.txt
rc=0; "$DESKHAND" reject-hunk a.txt 2 >"$T/rh2.out" 2>&1 || rc=$?
cat "$T/rh2.out"
assert_eq "$rc" 3 "exit status of reject-hunk after the person's fix"
assert_eq "$(sed -n 15p a.txt)" "line 15 -- my fix" "the person's fix after the refused reject-hunk"
assert_eq "$(sed -n 30p a.txt)" "LINE 30" "line 30 after the refused reject-hunk"
# the review now shows the fix as a hunk of its own; the agent's LINE 30,
# now hunk 3, is away from it and goes without --force, the fix kept
rv=$("$DESKHAND" review --json a.txt 2>/dev/null)
assert_eq "$(jq -r '.grants[0].files[] | select(.path == "a.txt") | .hunks | length' <<<"$rv")" 4 \
  "hunks of a.txt with the person's fix recorded"
out=$("$DESKHAND" reject-hunk a.txt 3 2>&1) || { echo "$out"; fail "reject-hunk of a hunk away from the edit"; }
assert_contains "$out" "restored a.txt"
assert_eq "$(sed -n 15p a.txt)" "line 15 -- my fix" "the person's fix after reject-hunk 3"
assert_eq "$(sed -n 30p a.txt)" "line 30" "line 30 after reject-hunk 3"
assert_eq "$(sed -n 2p a.txt)$(sed -n 58p a.txt)" "LINE 2LINE 58" "the other hunks stay"

# 3. --force over the person's lines: b.txt's one hunk goes, "mine" with it.
out=$("$DESKHAND" reject-hunk --force b.txt 1 2>&1) || { echo "$out"; fail "forced reject-hunk failed"; }
assert_eq "$(cat b.txt)" "bee" "b.txt after the forced reject-hunk"
assert_eq "$(sed -n 15p a.txt)" "line 15 -- my fix" "a.txt untouched"
echo ok
