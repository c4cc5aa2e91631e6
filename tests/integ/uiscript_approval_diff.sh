# Done-when 3 of issue 11: approving an edit_file that changes 3 lines of a
# 200-line file, the workbench's prompt shows a unified diff of those lines
# with context (the engine's diff against the file on disk), coloured with
# the diff styles, not old_string/new_string whole; line 100 is not shown.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
for i in $(seq 1 200); do echo "line $i"; done > "$G/big.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "big.txt", "old_string": "line 49\nline 50\nline 51\nline 52\nline 53\n", "new_string": "line 49\nfifty\nfifty-one\nfifty-two\nline 53\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "long.txt", "content": "$LONG"}}]},
 {"text": "Edited.", "stop_reason": "end_turn"}
]}
JSON
python3 - "$T/script.json" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace("$LONG", "".join("new %d\\n" % i for i in range(1, 81)))
open(p, "w").write(s)
PY
start_fake "$T/script.json"
steps ":type edit big.txt
<Enter>
:wait approval
a
:wait text Allow edit_file big.txt
:save-screen $T/prompt.scr elements
y
:wait text Allow write_file long\.txt
:save-screen $T/long.scr
y
:wait text task done
:quit"
UI_ENV="NO_COLOR=" ui_run 100 40 --grant "$G"
assert_screen prompt 'Allow edit_file big\.txt\?' '--- a/big\.txt' '\+\+\+ b/big\.txt' \
  '@@ -47,9 \+47,9 @@' '^ *  line 47$' '^ *  line 49$' '^ * -line 50$' '^ * -line 51$' \
  '^ * -line 52$' '^ * \+fifty$' '^ * \+fifty-one$' '^ * \+fifty-two$' '^ *  line 53$' '^ *  line 55$'
s=$(screen prompt)
grep -qE 'line 100|line 56$|line 46$' <<<"$s" && { echo "$s"; fail "lines far from the change are shown"; }
# Not the old whole-strings rendering: "line 49" is context, never removed.
grep -qE '^ *-line 49$' <<<"$s" && { echo "$s"; fail "old_string shown whole"; }
# The -/+ lines are drawn in the diff styles.
row=$(grep -n -- '-line 50$' <<<"$s" | head -1 | cut -d: -f1)
elements prompt | sed -n "${row}p" | grep -q -- '-' || fail "-line 50 is not diff-del: $(elements prompt | sed -n "${row}p")"
row=$(grep -n -- '+fifty$' <<<"$s" | head -1 | cut -d: -f1)
elements prompt | sed -n "${row}p" | grep -q '+' || fail "+fifty is not diff-add"
row=$(grep -n -- '@@ -47' <<<"$s" | head -1 | cut -d: -f1)
elements prompt | sed -n "${row}p" | grep -q '@' || fail "the hunk header is not diff-hunk"
grep -q '^fifty$' "$G/big.txt" || fail "the edit did not run after y"
# A diff taller than the pane is shown from its top: the question, the
# header and the first lines, not only its tail.
assert_screen long '^\? Allow write_file long\.txt\?' '--- /dev/null' '^ *\+new 1$' '^ *\+new 2$'
grep -q '+new 80$' <<<"$(screen long)" && fail "the long diff was scrolled to its end"
assert_eq "$(wc -l <"$G/long.txt")" 80
echo ok
