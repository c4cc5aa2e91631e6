# Detach (issue 10): C-\ leaves the workbench with status 0 and prints
# `deskhand attach ID`; the task goes on in its engine process and finishes
# `done` (not interrupted); `deskhand attach ID` then shows its transcript.
# `q` while the agent works asks first: Esc keeps the workbench. :detach
# detaches too.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
# One slow turn: ~12 events 600 ms apart, the last words come after the detach.
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "First words stream in. Middle words follow. The end arrives after the detach.", "stop_reason": "end_turn", "delay_ms": 600}
]}
JSON
start_fake "$T/script.json"
ui_start 110 30 --grant "$G" --mode auto "tell me slowly"
ui_wait "writing" 15
# q asks; Esc cancels: the workbench stays.
ui_keys q
ui_wait "d detach"
ui_keys Escape
for _ in $(seq 1 40); do ui_screen | grep -qF "d detach" || break; sleep 0.05; done
assert_not_contains "$(ui_screen)" "d detach"
assert_not_contains "$(ui_screen)" "EXIT="
# C-\ detaches at once, mid-stream.
ui_keys 'C-\'
ui_wait "EXIT=0"
s=$(ui_screen); echo "$s"
assert_contains "$s" "deskhand attach "
id=$(grep -o 'deskhand attach [0-9a-f-]*' <<<"$s" | head -1 | awk '{print $3}')
[ -n "$id" ] || fail "no session id after 'deskhand attach'"
tr=$XDG_STATE_HOME/deskhand/sessions/$id/transcript.jsonl
[ -f "$tr" ] || fail "no transcript for session $id"
grep -q '"session_finished"' "$tr" && fail "the task had already finished at the detach: the test proves nothing"
# The task goes on without a client and ends done.
for _ in $(seq 1 300); do grep -q '"session_finished"' "$tr" && break; sleep 0.1; done
grep '"session_finished"' "$tr" | grep -q '"status":"done"' \
  || { cat "$tr"; fail "the task did not finish done after the detach"; }
# Attach: the whole transcript, the end included, shows.
UI_T=again ui_start 110 30 attach "$id"
UI_T=again ui_wait "The end arrives after the detach." 15
UI_T=again ui_wait "tell me slowly"
# :detach leaves too (nothing runs now: the engine then exits by itself).
UI_T=again ui_keys Escape :; UI_T=again ui_type "detach"; UI_T=again ui_keys Enter
UI_T=again ui_wait "EXIT=0"
assert_contains "$(UI_T=again ui_screen)" "Resume with: deskhand attach $id"
echo ok
