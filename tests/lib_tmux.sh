# tmux screen-test helpers for tests/integ/ui_*.sh (source after lib.sh).
# ui_start W H ARGS...: runs the workbench in a detached tmux session of W x H
# with the test environment; ui_wait TEXT [SECONDS] polls capture-pane.
# With UI_T=NAME set, ui_start names the session NAME (its stderr goes to
# $T/ui-NAME.err) and ui_screen/ui_wait/ui_keys/ui_type act on it: several
# workbenches in one test.
command -v tmux >/dev/null || skip "tmux is not installed"
UI_SOCK=dhui$$
tm() { tmux -L "$UI_SOCK" -f /dev/null "$@"; }
# tm_stop: ends the tmux server and waits (10 s at most, returning as soon
# as they are) until the programs of its panes have exited: a hung-up
# workbench still exiting (ASan's LeakSanitizer at exit) is not left behind.
# An exited process that init has not reaped yet (a zombie: no command line
# left) is not waited for; tests/run.sh does not count it either.
tm_stop() {
  local panes p s q
  panes=$(tm list-panes -a -F '#{pane_pid}' 2>/dev/null) || true
  tm kill-server 2>/dev/null || true
  for _ in $(seq 1 200); do
    p=0
    for s in $panes; do
      for q in $(pgrep -s "$s"); do
        if [ -n "$(tr -d '\0' <"/proc/$q/cmdline" 2>/dev/null)" ]; then p=1; fi
      done
    done
    [ $p = 0 ] && return 0
    sleep 0.05
  done
}
# tm_cmd CMD: the command of a pane that runs the shell command CMD, then
# shows EXIT=N and stays 60 s (tests/tm_pane.py). On a hangup CMD gets
# SIGHUP, and the pane's session leader leaves only once CMD has exited:
# its exit sends SIGCONT to the terminal's foreground group, which hangs
# a program that LeakSanitizer is checking at exit (tm_pane.py says how).
tm_cmd() { printf 'exec python3 %q %q' "$DH_TESTS/tm_pane.py" "$1"; }
trap 'tm_stop; cleanup' EXIT
UI_ENV=${UI_ENV:-}
ui_start() {
  local w=$1 h=$2; shift 2
  local args="" a
  for a in "$@"; do args="$args $(printf '%q' "$a")"; done
  tm new-session -d ${UI_T:+-s "$UI_T"} -x "$w" -y "$h" "$(tm_cmd "env HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-} ANTHROPIC_BASE_URL=${ANTHROPIC_BASE_URL:-} ANTHROPIC_API_KEY=test-key-123 DH_SANDBOX=$DH_SANDBOX LC_ALL=${UI_LC:-C.UTF-8} TERM=${UI_TERM:-tmux-256color} ESCDELAY=25 $UI_ENV ASAN_OPTIONS=${ASAN_OPTIONS:-} LSAN_OPTIONS=${LSAN_OPTIONS:-} UBSAN_OPTIONS=${UBSAN_OPTIONS:-} $DESKHAND$args 2>$(ui_err)")"
}
ui_err() { echo "$T/ui${UI_T:+-$UI_T}.err"; }
ui_screen() { tm capture-pane -p ${UI_T:+-t "$UI_T"}; }
ui_wait() {
  local deadline=$(( $(date +%s%N) / 1000000 + ${2:-8} * 1000 ))
  while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$deadline" ]; do
    ui_screen | grep -qF -- "$1" && return 0
    sleep 0.05
  done
  ui_screen; cat "$(ui_err)" >&2 2>/dev/null; fail "timed out waiting for '$1' on the screen"
}
ui_keys() { tm send-keys ${UI_T:+-t "$UI_T"} "$@"; }
ui_type() { tm send-keys ${UI_T:+-t "$UI_T"} -l "$1"; }

# ui_two_at_approval FOLDER TASK PROMPT: workbench "one" (120x30) starts TASK
# on FOLDER, approves its plan and waits at the approval PROMPT; workbench
# "two" attaches to that session and shows PROMPT too.
ui_two_at_approval() {
  UI_T=one ui_start 120 30 --grant "$1" "$2"
  UI_T=one ui_wait "Approve the plan" 15
  UI_T=one ui_keys a
  UI_T=one ui_wait "$3" 15
  UI_T=two ui_start 120 30 attach latest
  UI_T=two ui_wait "$3" 15
}
