# The baseline is taken beside the first model request: a session whose
# answer comes before the baseline of its folder landed still has that
# baseline, recorded before session_finished, and a call that changes the
# folder runs only after it (run_basic checks the call).
. "$DH_TESTS/lib.sh"
G=$T/work
for d in $(seq -w 0 4); do
  mkdir -p "$G/d$d"
  for f in $(seq -w 0 99); do echo "file $d/$f" > "$G/d$d/f$f.txt"; done
done
printf '{"turns": [{"text": "Hello.", "stop_reason": "end_turn"}]}' > "$T/script.json"
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --json "hi" 2>"$T/err") || { rc=$?; cat "$T/err"; fail "run exited $rc"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
types=$(jq -r .type <<<"$out" | grep -v text_delta | tr '\n' ' ')
b=$(jq -s 'map(.type) | index("checkpoint")' <<<"$out")
f=$(jq -s 'map(.type) | index("session_finished")' <<<"$out")
[ "$b" != null ] && [ "$b" -lt "$f" ] || fail "no baseline checkpoint before session_finished: $types"
assert_eq "$(jq -s -r 'map(select(.type == "checkpoint"))[0].files_changed' <<<"$out")" 500
# the transcript has it in the same order
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
assert_eq "$(jq -r .type "$tr" | grep -E '^(checkpoint|session_finished)$' | tr '\n' ' ')" \
  "checkpoint session_finished "
# and it is the session's baseline: restoring to it is possible
"$DESKHAND" log "$sid" > "$T/log" 2>&1 || { rc=$?; cat "$T/log"; fail "log exited $rc"; }
assert_file_contains "$T/log" baseline
# run's own output: a baseline that lands while the model's text is mid-line
# (the text pauses a second after its first piece) is shown after that line,
# not in the middle of a word
G2=$T/work2; cp -r "$G" "$G2"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true
printf '{"turns": [{"text": "Whole words only.", "text_pause_ms": 1000, "stop_reason": "end_turn"}]}' > "$T/script2.json"
start_fake "$T/script2.json"
plain=$("$DESKHAND" run --grant "$G2" "hi" 2>"$T/err2") || { rc=$?; cat "$T/err2"; fail "run exited $rc"; }
assert_contains "$plain" "Whole words only."
grep -q 'checkpoint [0-9a-f]* .*work2' <<<"$plain" || fail "no baseline line: $plain"
assert_eq "$(grep -o -e 'Whole words only.' -e '✓ checkpoint' <<<"$plain" | tr '\n' '|')" \
  "Whole words only.|✓ checkpoint|" "the text, then the baseline"
