# Two workbenches on one session (issue 10): the second attaches with
# `deskhand attach ID`; both show the same streamed text; an approval
# answered in one disappears from the other; both see the task end.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "write_file", "input": {"path": "shared.txt", "content": "one\n"}}]},
 {"text": "Both viewers read this streamed sentence.", "stop_reason": "end_turn", "delay_ms": 150}
]}
JSON
start_fake "$T/script.json"
UI_T=one ui_start 110 30 --grant "$G" "write for two"
UI_T=one ui_wait "Allow write_file shared.txt?" 15
id=$(ls "$XDG_STATE_HOME/deskhand/sessions" | head -1)
[ -n "$id" ] || fail "no session"
UI_T=two ui_start 110 30 attach "$id"
# The second shows the history and the pending approval from the snapshot.
UI_T=two ui_wait "write for two" 15
UI_T=two ui_wait "Allow write_file shared.txt?"
# Answered in two: the prompt goes from one too.
UI_T=two ui_keys y
for _ in $(seq 1 100); do
  UI_T=one ui_screen | grep -qF "Allow write_file shared.txt?" || break; sleep 0.05
done
s1=$(UI_T=one ui_screen)
assert_not_contains "$s1" "Allow write_file shared.txt?"
# The next turn streams to both.
UI_T=one ui_wait "Both viewers read this streamed sentence." 15
UI_T=two ui_wait "Both viewers read this streamed sentence." 15
UI_T=one ui_wait "task done"
UI_T=two ui_wait "task done"
assert_eq "$(cat "$G/shared.txt")" one
# Both leave; with no client and no task the engine goes too.
UI_T=one ui_keys q; UI_T=one ui_wait "EXIT=0"
UI_T=two ui_keys q; UI_T=two ui_wait "EXIT=0"
for _ in $(seq 1 100); do
  ls "$XDG_RUNTIME_DIR"/deskhand/*.sock >/dev/null 2>&1 || break; sleep 0.05
done
! ls "$XDG_RUNTIME_DIR"/deskhand/*.sock >/dev/null 2>&1 || fail "the engine stayed with no client and no task"
echo ok
