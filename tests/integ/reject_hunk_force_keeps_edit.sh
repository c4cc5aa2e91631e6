# reject-hunk --force over a person's edit that a review folded into the
# agent's hunk (a few lines away, recorded as external changes): the agent's
# lines are taken out of the person's version by a three-way merge, and the
# person's line stays. Where the two collide (the person's line next to the
# agent's), the hunk goes with the person's lines, and the command says which
# of theirs it overwrote and which checkpoint to restore to get them back.
# Before, --force reverted the whole hunk, the person's line with it, and
# said nothing of it.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
for i in $(seq 1 20); do echo "line $i"; done > "$G/a.txt"
printf 'bee\n' > "$G/b.txt"; printf 'cee\n' > "$G/c.txt"
new_a=$(sed 's/^line 10$/LINE 10/' "$G/a.txt")
jq -n --arg a "$new_a" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_w", "input": {"path": "a.txt", "content": ($a + "\n")}}]},
 {"tool_calls": [{"name": "edit_file", "id": "toolu_e", "input": {"path": "b.txt", "old_string": "bee", "new_string": "BEE"}}]},
 {"tool_calls": [{"name": "edit_file", "id": "toolu_f", "input": {"path": "c.txt", "old_string": "cee", "new_string": "CEE"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
cd "$G"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "Edit" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"

# 1. Separable: the person fixes line 12, two lines below the agent's; the
# review folds both into hunk 1.
sed -i 's/^line 12$/line 12 -- mine/' a.txt
rc=0; "$DESKHAND" reject-hunk a.txt 1 >"$T/rh.out" 2>&1 || rc=$?
assert_eq "$rc" 3 "exit status of reject-hunk over the person's edit"
assert_contains "$("$DESKHAND" review a.txt 2>/dev/null)" "line 12 -- mine"
rc=0; out=$("$DESKHAND" reject-hunk --force a.txt 1 2>&1) || rc=$?
echo "$out"
assert_eq "$rc" 0 "exit status of the forced reject-hunk"
assert_eq "$(sed -n 10p a.txt)" "line 10" "the agent's line after the forced reject-hunk"
assert_eq "$(sed -n 12p a.txt)" "line 12 -- mine" "the person's line after the forced reject-hunk"
assert_eq "$(wc -l < a.txt)" 20 "lines of a.txt"
assert_contains "$out" "only the agent's lines were reverted"
assert_not_contains "$out" "overwritten"

# 2. Colliding: the person adds a line right after the agent's BEE. --force
# reverts the hunk with it, and says so, naming the checkpoint that has it.
echo mine >> b.txt
rc=0; "$DESKHAND" reject-hunk b.txt 1 >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 3 "exit status of reject-hunk over the person's line"
rc=0; out=$("$DESKHAND" reject-hunk --force b.txt 1 2>&1) || rc=$?
echo "$out"
assert_eq "$rc" 0 "exit status of the forced reject-hunk: $out"
assert_eq "$(cat b.txt)" "bee" "b.txt after the forced reject-hunk"
assert_contains "$out" "b.txt: hunk 1 was rejected over your edit"
assert_contains "$out" "  -mine"
assert_contains "$out" "  +bee"
ck=$(grep -o "deskhand restore --force [0-9a-f]*" <<<"$out" | head -1 | cut -d' ' -f4)
[ -n "$ck" ] || fail "the report names no checkpoint to restore: $out"

# 3. The same with --json, on c.txt: the notes say it
echo "mine too" >> c.txt
rc=0; "$DESKHAND" reject-hunk --force --json c.txt 1 >"$T/rh.json" 2>"$T/rh.err" || rc=$?
cat "$T/rh.json" "$T/rh.err"
assert_eq "$rc" 0 "exit status of the forced reject-hunk --json"
assert_eq "$(cat c.txt)" "cee" "c.txt after the forced reject-hunk"
notes=$(jq -r '.results[0].notes[]' "$T/rh.json")
assert_contains "$notes" "c.txt: hunk 1 was rejected over your edit"
assert_contains "$notes" "  -mine too"

# 4. The checkpoint named has the person's version: restoring it brings
# their line back (the folder as before that reject-hunk)
out=$("$DESKHAND" restore --force "$ck" 2>&1) || fail "restore $ck failed: $out"
assert_eq "$(cat b.txt)" "$(printf 'BEE\nmine')" "b.txt after restoring the named checkpoint"
assert_eq "$(sed -n 12p a.txt)" "line 12 -- mine" "a.txt after restoring the named checkpoint"

# 5. Through a live engine: its answer says it too
cd "$T"
H=$T/live; mkdir -p "$H"; printf 'dee\n' > "$H/d.txt"
cat > "$T/script2.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit d"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "d.txt", "old_string": "dee", "new_string": "DEE"}}]},
 {"fault": "hang"}
]}
JSON
start_fake "$T/script2.json"
id=$("$DESKHAND" run --detach --grant "$H" --mode auto --approve-plan "edit d") \
  || fail "run --detach failed"
for _ in $(seq 1 200); do "$DESKHAND" log "$id" 2>/dev/null | grep -q edit_file && break; sleep 0.05; done
wait_state "$id" working
echo "mine" >> "$H/d.txt"
rc=0; out=$("$DESKHAND" reject-hunk --session "$id" --force "$H/d.txt" 1 2>&1) || rc=$?
echo "$out"
assert_eq "$rc" 0 "forced reject-hunk on the live session: $out"
assert_eq "$(cat "$H/d.txt")" dee "d.txt after the live forced reject-hunk"
assert_contains "$out" "d.txt: hunk 1 was rejected over your edit"
assert_contains "$out" "  -mine"
"$DESKHAND" stop "$id" >/dev/null
echo ok
