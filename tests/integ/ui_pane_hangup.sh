# The screen tests' panes (tests/lib_tmux.sh, tests/tm_pane.py): a program
# in a pane whose terminal hangs up (the tmux server killed) gets SIGHUP and,
# while it exits, no SIGCONT. The session leader's exit sends SIGCONT to the
# terminal's foreground group; a SIGCONT that comes while LeakSanitizer stops
# the world at exit cancels its tracer's SIGSTOP, and the sanitized workbench
# then never exits (the suite killed it as a stray).
# tm_stop returns once the programs of the panes have exited, however long
# they take (10 s at most): one that takes 3 s is not left behind.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
# The pane's program: it logs the signals it gets, learns of the hangup from
# its SIGHUP, and takes 3 s to exit, as a leak check at exit may on a loaded
# machine.
cat > "$T/prog.sh" <<'SH'
#!/bin/bash
trap 'echo hup >>"$PANE_LOG"; h=1' HUP
trap 'echo cont >>"$PANE_LOG"' CONT
echo ready >>"$PANE_LOG"
while [ -z "${h:-}" ]; do sleep 0.05; done
sleep 3
echo exited >>"$PANE_LOG"
SH
chmod +x "$T/prog.sh"
DESKHAND=$T/prog.sh UI_ENV="PANE_LOG=$T/pane.log" ui_start 80 24
for _ in $(seq 1 100); do grep -qx ready "$T/pane.log" 2>/dev/null && break; sleep 0.05; done
grep -qx ready "$T/pane.log" || fail "the pane's program did not start"
tm_stop
log=$(cat "$T/pane.log"); echo "$log"
assert_contains "$log" hup
assert_contains "$log" exited
assert_not_contains "$log" cont
echo ok
