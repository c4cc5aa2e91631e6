# A run on a terminal through the warm engine (engine/warm.h) is a job of
# the shell as a run made in its own process is: stopped with Ctrl-Z and
# continued with bg, its task goes on in the background, its output comes
# to the terminal, and the shell has its exit status. Its task wanting the
# terminal there (an approval prompt), the job is stopped for terminal
# input and fg takes it on (warm_tty.sh).
. "$DH_TESTS/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<JSON
{"turns": [
 {"text": "Thinking it over, then done.", "text_pause_file": "$T/go", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
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
tm send-keys "set -b" Enter
tm send-keys "cd $G && $DESKHAND run --grant . 'think'" Enter
wait_screen "Thinking"
tm send-keys C-z
wait_screen "Stopped"
tm send-keys "bg" Enter
wait_screen "'think' &"
sleep 0.3 # (a job stopped again would say so by now)
touch "$T/go"
# The shell's word on its job, at once (set -b): "Done" is exit status 0
# (else "Exit N"). (Nothing is typed meanwhile: a run that waits for its
# terminal, as one made in its own process, stops when keys come to it in
# the background.)
wait_screen "Done"
screen=$(tm capture-pane -p -S -200)
assert_contains "$screen" "then done."
assert_contains "$screen" "done · session"
assert_not_contains "$screen" "tty input"
assert_eq "$("$DESKHAND" warm --status | sed -n 's/^runs //p')" 1 "runs the warm engine made"
echo ok
