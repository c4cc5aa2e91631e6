# A run on a terminal through the warm engine (engine/warm.h) under the
# shell's job control, as one made in its own process: stopped with Ctrl-Z
# and put in the background with bg, it does not read the keys typed to the
# shell (they would answer its approval prompt); fg brings it back to its
# prompt. A run started in the background (&) on a terminal is made in its
# own process, which the terminal stops when it reads.
. "$DH_TESTS/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write a file"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "yes.txt", "content": "y"}}]},
 {"text": "Written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json" --cursor-per-key
"$DESKHAND" warm > /dev/null || fail "warm exited $?"
sock=dh$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT
tm new-session -d -x 120 -y 40 "env HOME=$HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR XDG_STATE_HOME=$XDG_STATE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL ANTHROPIC_API_KEY=k NO_COLOR=1 LC_ALL=C.UTF-8 DH_SANDBOX=$DH_SANDBOX PS1='sh> ' bash --norc --noprofile -i"
# wait_screen TEXT [N]: until TEXT is on the screen N times (1)
wait_screen() {
  for _ in $(seq 1 200); do
    [ "$(tm capture-pane -p -S -200 | grep -cF -- "$1")" -ge "${2:-1}" ] && return 0
    sleep 0.05
  done
  tm capture-pane -p -S -200; fail "timed out waiting for '$1' on the screen"
}
wait_screen 'sh>'
tm send-keys "cd $G && $DESKHAND run --grant . 'write it'" Enter
wait_screen "Approve this plan? [y/n]"
tm send-keys C-z
wait_screen "Stopped"
tm send-keys "bg" Enter
wait_screen "write it' &"
# The shell gets the line (the run would take it as its answer, unevaluated).
tm send-keys 'echo typed-to-the-shell-$((6*7))' Enter
wait_screen "typed-to-the-shell-42"
tm send-keys 'fg; echo EXIT=$?' Enter
sleep 0.5
tm send-keys y Enter
wait_screen "Allow write_file yes.txt? [y/n/a/d]"
tm send-keys y Enter
wait_screen "EXIT=" 2 # the command line, then its output
screen=$(tm capture-pane -p -S -200)
assert_contains "$screen" "EXIT=0"
assert_eq "$(cat "$G/yes.txt")" y
assert_eq "$("$DESKHAND" warm --status | sed -n 's/^runs //p')" 1 "runs the warm engine made"

# Started in the background: made here, and the shell keeps its input.
tm send-keys "ANTHROPIC_API_KEY=k2 $DESKHAND run --grant . 'write it' &" Enter
wait_screen "Approve this plan? [y/n]" 2
tm send-keys 'echo second-$((6*7))' Enter
wait_screen "second-42"
assert_eq "$("$DESKHAND" warm --status | sed -n 's/^runs //p')" 1 \
  "runs the warm engine made (not the one in the background)"
# Ended here (stopped, it takes no SIGTERM until it runs): a hangup (the
# tmux server killed at the end) would detach it, to wait for a client that
# never comes.
tm send-keys 'kill -KILL %1' Enter
for _ in $(seq 1 100); do
  tm send-keys 'jobs' Enter
  tm capture-pane -p -S -200 | grep -q 'Killed' && break
  sleep 0.1
done
wait_screen "Killed"
echo ok
