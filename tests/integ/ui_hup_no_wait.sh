# test: serial (asserts on elapsed time)
# A workbench whose task has ended and whose terminal hangs up (its tmux
# session killed: SIGHUP, the tty gone) leaves at once. It waited, as after
# `q`, up to 3 s for its engine to exit, though nobody was there to type
# `deskhand run --resume ID` next. The engine, stopped (SIGSTOP) before the
# hangup so that it cannot exit, outlives the workbench; let go, it exits on
# its own, and the session is left as a quit leaves it: done, not live,
# resumable at once. `q` still waits for the engine.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Hello.", "stop_reason": "end_turn"},
           {"text": "Again.", "stop_reason": "end_turn"},
           {"text": "Third.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
SS=$XDG_STATE_HOME/deskhand/sessions
ms() { echo $(( $(date +%s%N) / 1000000 )); }
# alive PID: PID runs (an exited process not reaped yet has no command line)
alive() { [ -n "$( { tr -d '\0' <"/proc/$1/cmdline"; } 2>/dev/null)" ]; }
# ended NAME TASK: workbench NAME runs TASK to its end, with its engine
# stopped (SIGSTOP) then; sets wb (its process), eng (the engine's), pidf
# (the engine's pid file) and S (the session's folder).
ended() {
  UI_T=$1 ui_start 100 30 --grant "$G" --mode auto "$2"
  UI_T=$1 ui_wait "task done" 20
  S=
  for m in "$SS"/*/meta.json; do
    [ "$(jq -r .task "$m")" = "$2" ] && S=${m%/meta.json}
  done
  [ -n "$S" ] || fail "no session of '$2'"
  wb=$(pgrep -P "$(tm list-panes -t "$1" -F '#{pane_pid}')" | head -1)
  [ -n "$wb" ] && alive "$wb" || fail "no workbench process in pane $1"
  pidf=$(grep -l . "$XDG_RUNTIME_DIR"/deskhand/*.pid 2>/dev/null | head -1)
  [ -n "$pidf" ] || fail "no engine pid file in $XDG_RUNTIME_DIR/deskhand"
  eng=$(cat "$pidf")
  alive "$eng" || fail "the engine ($eng) is not running"
  kill -STOP "$eng"
}
# gone: after the workbench was ended at t0, wait for it to leave (took:
# ms), check the engine outlived it, let the engine go and wait for its exit.
gone() {
  while alive "$wb" && [ $(( $(ms) - t0 )) -lt 6000 ]; do sleep 0.02; done
  took=$(( $(ms) - t0 ))
  eng_alive=0; alive "$eng" && eng_alive=1
  kill -CONT "$eng" 2>/dev/null || true
  alive "$wb" && fail "the workbench still runs ${took} ms after it was ended"
  assert_eq "$eng_alive" 1 "the engine outlived the workbench (it was stopped)"
  for _ in $(seq 1 200); do alive "$eng" || break; sleep 0.05; done
  alive "$eng" && fail "the engine ($eng) still runs 10 s after it was let go"
  [ -e "$pidf" ] && fail "the engine left its pid file $pidf"
  grep -q 'Sanitizer\|runtime error' "$S/engine.log" 2>/dev/null && { cat "$S/engine.log"; fail "the engine crashed"; }
  assert_eq "$("$DESKHAND" ls --json | jq length)" 0 "live sessions once the engine exited"
}
# what a session's record says, but for its own id, task, times and words
record() { jq -S 'del(.id, .task, .summary, .created, .updated, .started_ns)' "$1/meta.json"; }

# `q`: waits for the engine to exit (at most 3 s).
ended q "say hello"
t0=$(ms)
UI_T=q ui_keys q
gone
echo "q: the workbench left ${took} ms after the key"
[ "$took" -ge 2500 ] || fail "q left after ${took} ms, not waiting for the engine"
quit_record=$(record "$S")

# A hangup: leaves at once; the engine exits on its own, the session as above.
tm new-session -d -s keep "sleep 120"   # the tmux server outlives the killed session
ended h "again"
t0=$(ms)
tm kill-session -t h
gone
echo "hangup: the workbench left ${took} ms after it"
[ "$took" -lt 2000 ] || fail "the workbench took ${took} ms to leave after the hangup (it waited for the engine)"
grep -q 'Sanitizer\|runtime error' "$T/ui-h.err" && { cat "$T/ui-h.err"; fail "the workbench crashed on the hangup"; }
assert_eq "$(record "$S")" "$quit_record" "the session's record after a hangup, as after q"
assert_eq "$(jq -r .status "$S/meta.json")" done "the session's status"
rc=0; "$DESKHAND" run --resume "${S##*/}" --mode auto "third" >"$T/r.out" 2>&1 || rc=$?
assert_eq "$rc" 0 "run --resume once the engine exited: $(cat "$T/r.out")"
echo ok
