# ask mode on a real terminal (tmux): deskhand asks y/n for the plan and for
# each call that changes files; 'y' runs it, 'n' refuses it.
. "$DH_TESTS/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write two files"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "yes.txt", "content": "y"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "no.txt", "content": "n"}}]},
 {"text": "One written, one refused.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
sock=dh$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT
tm new-session -d -x 100 -y 30 "env HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL ANTHROPIC_API_KEY=k NO_COLOR=1 LC_ALL=C.UTF-8 $DESKHAND run --grant $G 'write files'; echo EXIT=\$?; sleep 30"
wait_screen() {
  for _ in $(seq 1 200); do
    tm capture-pane -p | grep -qF -- "$1" && return 0; sleep 0.05
  done
  tm capture-pane -p; fail "timed out waiting for '$1' on the screen"
}
wait_screen "Approve this plan? [y/n]"
tm send-keys y Enter
wait_screen "Allow write_file yes.txt? [y/n/a/d]"
tm send-keys y Enter
wait_screen "Allow write_file no.txt? [y/n/a/d]"
tm send-keys n Enter
wait_screen "EXIT=0"
screen=$(tm capture-pane -p -S -200)
echo "$screen"
assert_contains "$screen" "plan approved"
assert_contains "$screen" "One written, one refused."
assert_eq "$(cat "$G/yes.txt")" y
[ ! -e "$G/no.txt" ] || fail "no.txt was written after 'n'"
echo ok
