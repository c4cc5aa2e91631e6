# A command's output too big for the state directory's free space: the blob
# that was to keep it whole cannot be written, so it is removed, not left at
# its name (a part of it would read as the whole output through
# read_tool_output, and it kept the disk full, so that every resume failed).
# The model is told the output could not be stored.
. "$DH_TESTS/lib.sh"
small_state 2m
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Big"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_big", "input": {"command":
   "head -c 2500000 /dev/zero | tr '\\0' x | fold -w 100"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "Big" >"$T/out" 2>"$T/err" || true
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions" | head -1)
[ -n "$sid" ] || { cat "$T/err"; fail "no session"; }
blobs=$XDG_STATE_HOME/deskhand/sessions/$sid/blobs
left=$(ls "$blobs" 2>/dev/null | tr '\n' ' ')
assert_eq "$left" "" "blobs left in the session"
assert_contains "$(grep -o 'The whole output could not be stored: [^"]*' "$FAKE_LOG" | head -1)" \
  "No space left on device"
echo ok
