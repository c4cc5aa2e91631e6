# write_file to a path of 3,000 components fails (the path is too long) and
# leaves nothing behind: no new directory. The model gets the whole reason,
# with the path shown cut in the middle rather than the reason cut. A move
# that fails after creating the destination's parents (a directory into
# itself) removes them again.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/keep"
deep=$(python3 -c 'print("/".join(["d"] * 2999) + "/f.txt")')
printf '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "%s", "content": "x"}},
                 {"name": "write_file", "input": {"path": "keep/%s", "content": "x"}},
                 {"name": "move_file", "input": {"source": "keep", "destination": "%s"}},
                 {"name": "move_file", "input": {"source": "keep", "destination": "keep/n1/n2/x"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}' "$deep" "$deep" "$deep" > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "x" >"$T/out" 2>"$T/err" \
  || { cat "$T/err"; tail -c 3000 "$T/out"; fail "run failed"; }
left=$(cd "$G" && find . -mindepth 1 | sort)
[ "$left" = ./keep ] || fail "the failed calls left $(wc -l <<<"$left") entries in the grant"
jq -r 'select(.type=="tool_result" and .name!="propose_plan") | "\(.is_error) \(.output)"' "$T/out" > "$T/res"
n=0
while IFS= read -r line; do
  n=$((n + 1))
  [ $n -le 3 ] || break
  echo "${#line} bytes: ${line:0:120}…${line: -160}"
  case $line in true*) ;; *) fail "call $n did not fail: ${line:0:200}" ;; esac
  # the path is shown capped (an ellipsis), the reason whole, the line short
  assert_contains "$line" "…"
  assert_contains "$line" "too long"
  [ "${#line}" -lt 1000 ] || fail "call $n: the message is ${#line} bytes"
done < "$T/res"
assert_eq "$(jq -r 'select(.type=="tool_result" and .name!="propose_plan") | .is_error' "$T/out" | sort | uniq -c | tr -s ' ')" " 4 true"
echo ok
