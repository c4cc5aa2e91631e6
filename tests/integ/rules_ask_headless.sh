# A call an `ask` rule reaches, in a headless run with nobody to answer: it
# is refused, and the result does not advise what cannot help (an ask rule
# asks in auto mode too, docs/config.md): not "re-run with --mode auto",
# in a run that is in auto mode already, but a way to answer it.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/private"; echo secret > "$G/private/s.txt"
printf 'ask read_file(private/*)\n' > "$T/config"
export DH_CONFIG=$T/config
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "private/s.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
rc=0
"$DESKHAND" run --grant "$G" --mode auto --json "task" > "$T/out" 2>"$T/err" </dev/null || rc=$?
assert_eq "$rc" 5 "the run's exit status (an approval nobody could give): $(cat "$T/err")"
r=$(jq -r 'select(.type=="tool_result" and .name=="read_file") | .output' "$T/out")
assert_contains "$r" "read_file denied: it needs the person's approval by rule"
assert_contains "$r" "rule 'ask read_file(private/*)' ($T/config:1)"
assert_not_contains "$r" "--mode auto"
assert_contains "$r" "--json --commands"
assert_not_contains "$r" secret
