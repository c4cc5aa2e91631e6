# Two workbenches on one session (issue 10): the second attaches with
# `deskhand attach ID` and shows the history and the pending question from
# the snapshot; an approval answered in one disappears from the other (both
# ways: the plan in two, a tool call in one); both show the same streamed
# text and the task's end; with both gone, the engine exits.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the shared file"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "shared.txt", "content": "one\n"}}]},
 {"text": "Both viewers read this streamed sentence.", "stop_reason": "end_turn", "delay_ms": 150}
]}
JSON
start_fake "$T/script.json"
# gone TEXT: TEXT leaves the screen of $UI_T within 5 s.
gone() {
  for _ in $(seq 1 100); do ui_screen | grep -qF -- "$1" || return 0; sleep 0.05; done
  ui_screen; fail "'$1' stayed on the screen of $UI_T"
}
UI_T=one ui_start 110 30 --grant "$G" "write for two"
UI_T=one ui_wait "Approve the plan?" 15
id=$(ls "$XDG_STATE_HOME/deskhand/sessions" | head -1)
[ -n "$id" ] || fail "no session"
UI_T=two ui_start 110 30 attach "$id"
# The second shows the history and the pending plan from the snapshot.
UI_T=two ui_wait "write for two" 15
UI_T=two ui_wait "Write the shared file"
UI_T=two ui_wait "Approve the plan?"
# The plan approved in two: the question goes from one too.
UI_T=two ui_keys a
UI_T=one gone "Approve the plan?"
# The write asked in both; allowed in one: it goes from two.
UI_T=one ui_wait "Allow write_file shared.txt? y allow" 15
UI_T=two ui_wait "Allow write_file shared.txt? y allow"
UI_T=one ui_keys y
UI_T=two gone "Allow write_file shared.txt? y allow"
# The next turn streams to both.
UI_T=one ui_wait "Both viewers read this streamed sentence." 15
UI_T=two ui_wait "Both viewers read this streamed sentence." 15
UI_T=one ui_wait "task done"
UI_T=two ui_wait "task done"
assert_eq "$(cat "$G/shared.txt")" one
# Both leave; with no client and no task the engine goes too.
UI_T=one ui_keys q; UI_T=one ui_wait "EXIT=0"
UI_T=two ui_keys Escape q; UI_T=two ui_wait "EXIT=0"
for _ in $(seq 1 100); do
  ls "$XDG_RUNTIME_DIR"/deskhand/*.sock >/dev/null 2>&1 || break; sleep 0.05
done
! ls "$XDG_RUNTIME_DIR"/deskhand/*.sock >/dev/null 2>&1 || fail "the engine stayed with no client and no task"
echo ok
