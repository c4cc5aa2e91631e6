# `deskhand run --resume` (text, not --json) of a session killed while a
# command changed two granted folders shows the recovery one line per folder,
# each readable: it used to print the report as one line with the newlines
# shown as "^J" ("... (checkpoint 1a2b3c4d5e6f)^J/tmp/.../two: recorded ...").
. "$DH_TESTS/lib.sh"
G=$T/one; G2=$T/two; mkdir -p "$G" "$G2"
echo original > "$G/f.txt"; echo original > "$G2/g.txt"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "change"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_killed", "input": {"command": "echo changed > f.txt && echo changed > $G2/g.txt && touch ready && sleep 5"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --grant "$G2" --approve-plan --mode auto --json change > "$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 1 400); do [ -e "$G/ready" ] && break; sleep 0.05; done
[ -e "$G/ready" ] || { kill -9 $pid; cat "$T/err"; fail "the command never ran"; }
kill -9 $pid; wait $pid 2>/dev/null || true
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume failed"; }
cat "$T/resumed"
assert_not_contains "$(cat "$T/resumed")" "^J"
assert_contains "$(grep -F "$G: recorded what changed" "$T/resumed")" "interrupted call toolu_killed"
assert_contains "$(grep -F "$G2: recorded what changed" "$T/resumed")" "interrupted call toolu_killed"
echo ok
