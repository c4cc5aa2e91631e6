# One granted folder inside another: a change below the inner folder is the
# outer folder's too, and each grant's checkpoint of the agent's step holds
# it (whichever grant is named first). Before, inotify's one watch per
# directory went to one grant only, so the other's checkpoint missed the
# change, which a later full scan then recorded as "external changes".
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub/deep"
echo top > "$G/top.txt"; echo inner > "$G/sub/in.txt"; echo deep > "$G/sub/deep/d.txt"
# the command runs in the first grant: it goes to the outer folder first
jq -n --arg g "$G" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_a", "input": {"command":
   ("cd " + $g + " && echo TOP > top.txt; echo INNER > sub/in.txt; echo DEEP > sub/deep/d.txt; mkdir sub/new; echo n > sub/new/n.txt")}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
for order in outer-first inner-first; do
  rm -rf "$XDG_STATE_HOME/deskhand"
  (cd "$G" && echo top > top.txt && echo inner > sub/in.txt && echo deep > sub/deep/d.txt && rm -rf sub/new)
  if [ $order = outer-first ]; then set -- --grant "$G" --grant "$G/sub"; else set -- --grant "$G/sub" --grant "$G"; fi
  start_fake "$T/script.json"
  out=$("$DESKHAND" run "$@" --approve-plan --mode auto --json "edit" 2>"$T/err") \
    || { cat "$T/err"; fail "run failed ($order)"; }
  kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true
  assert_eq "$(cat "$G/sub/new/n.txt")" n
  # the step's checkpoint in each grant, as the run reported it
  files() { jq -r --arg g "$1" 'select(.type=="checkpoint" and .grant==$g and .tool_call=="toolu_a") | .files_changed' <<<"$out"; }
  assert_eq "$(files "$G")" 4 "files the outer grant's step changed ($order)"
  assert_eq "$(files "$G/sub")" 3 "files the inner grant's step changed ($order)"
  j=$("$DESKHAND" review --json 2>"$T/rv.err")
  assert_not_contains "$(cat "$T/rv.err")" "external changes"
  steps=$(jq -r --arg g "$G" '.grants[] | .grant as $f | .files[] | "\($f | ltrimstr($g)) \(.path) \(.step.tool_call)"' <<<"$j" | sort)
  assert_eq "$steps" "$(printf '%s\n' " sub/deep/d.txt toolu_a" " sub/in.txt toolu_a" " sub/new/n.txt toolu_a" " top.txt toolu_a" \
    "/sub deep/d.txt toolu_a" "/sub in.txt toolu_a" "/sub new/n.txt toolu_a" | sort)" "review ($order)"
done
echo ok
