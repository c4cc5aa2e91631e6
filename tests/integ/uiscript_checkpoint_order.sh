# In process: with two grants, U lists the checkpoints newest first across
# both (what its title says), not one grant's after the other's: steps that
# wrote g1, then g2, then g1 again show in the reverse of that order.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G1=$T/g1 G2=$T/g2; mkdir -p "$G1" "$G2"
# A second between the steps: checkpoint times are in seconds.
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Three files"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "first.txt", "content": "1\\n"}}]},
 {"text": "Now the other folder.", "text_pause_ms": 1100,
  "tool_calls": [{"name": "write_file", "input": {"path": "$G2/second.txt", "content": "2\\n"}}]},
 {"text": "Back to the first one.", "text_pause_ms": 1100,
  "tool_calls": [{"name": "write_file", "input": {"path": "third.txt", "content": "3\\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G1" --grant "$G2" --approve-plan --mode auto "three" > "$T/run.out" 2>&1 ||
  { cat "$T/run.out"; fail "run failed"; }
steps "<Esc>
<Tab>
:wait text diff \(3 files pending\)
U
:wait text checkpoints, newest first
:wait idle
:save-screen $T/list.scr
:quit"
ui_run 120 40 --resume latest
s=$(screen list); echo "$s"
rows=$(grep -E '^[0-9a-f]{12}  ' <<<"$s") || fail "no checkpoint rows"
# the rows of the three steps, top to bottom
order=$(grep -oE 'write_file [^ ]*(first|second|third)\.txt' <<<"$rows" | grep -oE '(first|second|third)')
assert_eq "$(tr '\n' ' ' <<<"$order")" "third second first "
# each row's time is not before the next one's
times=$(awk '{ print $2 " " $3 }' <<<"$rows")
[ "$times" = "$(sort -r <<<"$times")" ] || fail "not newest first: $times"
echo ok
