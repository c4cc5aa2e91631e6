# test: serial (asserts on elapsed time)
# The terminal hangs up (its tmux session killed) while the plan is open in
# $EDITOR: the workbench tells the editor as a hangup does (SIGHUP and
# SIGCONT, to the shell that runs it and to the editor itself), gives it 2 s
# to save and exit, then SIGTERM and 1 s more, then leaves without it.
# It sent SIGHUP to the shell alone, which dies of it at once and left the
# editor running unwarned, and then waited with no limit: a stopped editor
# (C-z) kept the workbench on the dead terminal for ever. The plan file being
# edited is kept and named on stderr (it was deleted), and an editor left
# running is named too.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write notes"}]}}]},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write notes"}]}}]},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write notes"}]}}]}
]}
JSON
start_fake "$T/script.json"
# The "editor": records the signals it gets in $EDLOG, traps HUP, and TERM
# too when $TRAP_TERM is set; runs until $T/stop exists (60 s at most).
cat > "$T/ed.sh" <<'EOF2'
#!/bin/sh
echo $$ > "$EDLOG.pid"
trap 'echo HUP >> "$EDLOG"' HUP
[ -n "$TRAP_TERM" ] && trap 'echo TERM >> "$EDLOG"' TERM
echo "EDITOR IS OPEN ON $1"
i=0
while [ ! -e "$STOP" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
EOF2
chmod +x "$T/ed.sh"
ms() { echo $(( $(date +%s%N) / 1000000 )); }
# alive PID: PID runs (an exited process not reaped yet has no command line)
alive() { [ -n "$( { tr -d '\0' <"/proc/$1/cmdline"; } 2>/dev/null)" ]; }
tm new-session -d -s keep "sleep 120"   # the tmux server outlives the killed sessions
# hangup NAME TRAP_TERM TASK [stop]: workbench NAME (on a folder of its own)
# opens TASK's plan in the editor (stopped with its shell, as by C-z, with
# "stop"), then its session is killed; sets wb, ed (the editor's pid) and
# took (ms from the hangup to the workbench's exit).
hangup() {
  mkdir -p "$T/work-$1" "$T/tmp-$1"
  UI_T=$1 UI_ENV="EDITOR=$T/ed.sh EDLOG=$T/ed-$1 TRAP_TERM=$2 STOP=$T/stop TMPDIR=$T/tmp-$1" \
    ui_start 100 30 --grant "$T/work-$1" "$3"
  UI_T=$1 ui_wait "Approve the plan" 20
  UI_T=$1 ui_keys e
  UI_T=$1 ui_wait "EDITOR IS OPEN ON $T/tmp-$1/deskhand-plan-"
  wb=$(pgrep -P "$(tm list-panes -t "$1" -F '#{pane_pid}')" | head -1)
  ed=$(cat "$T/ed-$1.pid")
  alive "$wb" || fail "no workbench process in pane $1"
  alive "$ed" || fail "the editor ($ed) is not running"
  [ "${4:-}" = stop ] && kill -STOP "$(ps -o ppid= -p "$ed")" "$ed"
  t0=$(ms)
  tm kill-session -t "$1"
  while alive "$wb" && [ $(( $(ms) - t0 )) -lt 8000 ]; do sleep 0.02; done
  took=$(( $(ms) - t0 ))
  alive "$wb" && { touch "$T/stop"; fail "the workbench still runs ${took} ms after the hangup (waiting for its editor)"; }
  echo "$1: the workbench left ${took} ms after the hangup"
  grep -q 'Sanitizer\|runtime error' "$T/ui-$1.err" && { cat "$T/ui-$1.err"; fail "the workbench crashed"; }
  plan=$(ls "$T/tmp-$1"/deskhand-plan-*.md 2>/dev/null || true)
  [ -n "$plan" ] || fail "the plan file being edited was deleted"
  assert_contains "$(cat "$T/ui-$1.err")" "deskhand: the plan being edited was not sent; its file is kept: $plan"
}

# A stopped editor (and its shell), as by C-z: SIGCONT lets it see the
# signals; it traps SIGHUP only, so SIGTERM ends it, 2 s after the hangup.
hangup c "" "make notes again" stop
alive "$ed" && fail "the stopped editor ($ed) still runs"
[ "$took" -lt 6000 ] || fail "the workbench took ${took} ms to leave"
assert_eq "$(cat "$T/ed-c")" "HUP" "the signals the stopped editor handled"

# The same, not stopped.
hangup a "" "make notes"
alive "$ed" && fail "the editor ($ed) still runs: it was not told to leave"
[ "$took" -ge 1800 ] || fail "the editor was not given 2 s after SIGHUP (${took} ms)"
[ "$took" -lt 6000 ] || fail "the workbench took ${took} ms to leave"
assert_eq "$(cat "$T/ed-a")" "HUP" "the signals the editor handled"
assert_not_contains "$(cat "$T/ui-a.err")" "left running"

# One that traps SIGTERM too: left running, and said so.
hangup b 1 "make more notes"
[ "$took" -lt 7000 ] || fail "the workbench took ${took} ms to leave"
alive "$ed" || fail "the editor that ignores SIGTERM was not left running"
assert_eq "$(head -2 "$T/ed-b")" "$(printf 'HUP\nTERM')" "the signals the editor handled"
assert_contains "$(cat "$T/ui-b.err")" "deskhand: $T/ed.sh (pid $ed) did not exit on SIGHUP and SIGTERM: left running"
touch "$T/stop"
for _ in $(seq 1 100); do alive "$ed" || break; sleep 0.05; done
alive "$ed" && fail "the editor did not end when told to"
echo ok
