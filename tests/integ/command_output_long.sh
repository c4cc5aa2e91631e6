# A command printing about 200 KB whose last line is the error: the model gets
# the head and the tail (its first and last lines) and the omitted count, the
# whole output is stored in the session and named by tool_result.output_file,
# and the output streams as tool_output events while the command runs (not
# into the transcript).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "build"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "seq -f 'line %05g of a long build log, padded to about seventy bytes.......' 1 3000; echo 'error: the build failed at the very end' >&2; exit 2"}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_live", "input": {"command": "echo first; sleep 1; echo second"}}],
  "expect": {"last_user_contains": "error: the build failed at the very end"}},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "build" 2>"$T/err") \
  || { cat "$T/err"; echo "$out" | jq -c 'select(.type!="text_delta")'; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done

# what the model got: the first line, the last line, the omitted count
sent=$(sed -n 3p "$FAKE_LOG" | jq -r '.body.messages[-1].content[0].content')
assert_contains "$sent" "line 00001 of a long build log"
assert_contains "$sent" "line 03000 of a long build log"
assert_contains "$sent" "error: the build failed at the very end"
assert_contains "$sent" "exit status 2"
omitted=$(grep -oE '\[… [0-9]+ bytes omitted' <<<"$sent" | grep -oE '[0-9]+')
[ "${omitted:-0}" -gt 150000 ] || fail "omitted count: '$omitted' in: $(head -c 300 <<<"$sent")"
[ ${#sent} -lt 40000 ] || fail "the model got ${#sent} characters"
assert_not_contains "$sent" "line 01500 of"

# the whole output, stored in the session
file=$(jq -r 'select(.type=="tool_result" and .name=="run_command" and .id!="toolu_live").output_file' <<<"$out")
[ -f "$file" ] || fail "output_file '$file' does not exist"
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
case $file in "$XDG_STATE_HOME/deskhand/sessions/$sid/"*) ;; *) fail "output_file $file is not in the session";; esac
{ seq -f 'line %05g of a long build log, padded to about seventy bytes.......' 1 3000
  echo 'error: the build failed at the very end'; } > "$T/want"
cmp "$T/want" "$file" || fail "the stored output differs from what the command printed"
assert_contains "$sent" "$file"
# a short output is not stored
assert_eq "$(jq -r 'select(.type=="tool_result" and .id=="toolu_live")|has("output_file")' <<<"$out")" false

# live: the two lines a second apart came as separate tool_output events, before the result
live=$(jq -r 'select(.type=="tool_output" and .id=="toolu_live").text' <<<"$out")
assert_eq "$(jq -c 'select(.type=="tool_output" and .id=="toolu_live").text' <<<"$out" | tr '\n' ' ')" '"first\n" "second\n" '
order=$(jq -r 'select(.id=="toolu_live").type' <<<"$out" | tr '\n' ' ')
assert_eq "$order" "tool_call tool_output tool_output tool_result "
# the long command streamed too, bounded per event
n=$(jq -r 'select(.type=="tool_output" and .id!="toolu_live").text | length' <<<"$out" | wc -l)
[ "$n" -ge 1 ] || fail "no tool_output for the long command"
max=$(jq -r 'select(.type=="tool_output").text | utf8bytelength' <<<"$out" | sort -n | tail -1)
[ "$max" -le 4200 ] || fail "a tool_output event of $max bytes"
# not in the transcript
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_eq "$(jq -r 'select(.type=="tool_output")|.type' "$tr" | wc -l)" 0
assert_eq "$(jq -r 'select(.type=="tool_result" and .name=="run_command" and .id!="toolu_live").output_file' "$tr")" "$file"

# the human output names the file and shows the live lines under the call
: > "$FAKE_LOG"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "build" >"$T/human" 2>&1 || { cat "$T/human"; fail "human run failed"; }
grep -qF "    | first" "$T/human" || grep -qF "    │ first" "$T/human" || { cat "$T/human"; fail "no live line"; }
grep -qF "the output was cut for the model; all of it: $XDG_STATE_HOME/deskhand/sessions/" "$T/human" \
  || { cat "$T/human"; fail "the human output does not name the stored output"; }
grep -qE "^    (✗|x) exit status 2$" "$T/human" || { cat "$T/human"; fail "the failed command's status line is not shown"; }
echo ok
