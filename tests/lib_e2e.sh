# Helpers for the engine-as-a-server end-to-end tests (tests/integ/e2e_*.sh;
# source after lib.sh, and after lib_tmux.sh when the test uses tmux).
# Engine processes outlive their clients by design; the test owns the ones it
# started (a process named deskhand-engine whose HOME is the test's) and ends
# them on exit.
export XDG_RUNTIME_DIR=$T/run
mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
UI_ENV="${UI_ENV:-} XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"

# engine_pids: the pids of this test's engine processes, one a line.
engine_pids() {
  local pid p
  for pid in $(pgrep -u "$(id -u)" -x deskhand-engine); do
    p=/proc/$pid
    { tr '\0' '\n' < "$p/environ"; } 2>/dev/null | grep -qxF "HOME=$HOME" || continue
    echo "$pid"
  done
}

# stop_engines: SIGTERM to this test's engines, SIGKILL to any left after 3 s.
stop_engines() {
  local pids p
  pids=$(engine_pids)
  [ -n "$pids" ] || return 0
  for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 1 60); do [ -n "$(engine_pids)" ] || return 0; sleep 0.05; done
  for p in $(engine_pids); do kill -KILL "$p" 2>/dev/null || true; done
}
if declare -F tm >/dev/null; then
  trap 'set +e; declare -F tm_stop >/dev/null && tm_stop; stop_engines; cleanup' EXIT
else
  trap 'set +e; stop_engines; cleanup' EXIT
fi

# session_id: the id of the test's only session (its directory's name).
session_id() {
  local d=$XDG_STATE_HOME/deskhand/sessions
  for _ in $(seq 1 200); do
    [ -d "$d" ] && [ -n "$(ls "$d")" ] && { ls "$d" | head -1; return 0; }
    sleep 0.05
  done
  fail "no session was created"
}

# wait_no_client ID [SECONDS]: polls `deskhand ls --json` until ID has no
# client attached.
wait_no_client() {
  local n=
  for _ in $(seq 1 $(( ${2:-10} * 10 ))); do
    n=$("$DESKHAND" ls --json 2>>"$T/ls.err" | jq -r --arg s "$1" '.[] | select(.id == $s) | .clients')
    [ "$n" = 0 ] && return 0
    sleep 0.1
  done
  fail "session $1 still has '$n' clients in ls"
}

# wait_file PATH [SECONDS]
wait_file() {
  for _ in $(seq 1 $(( ${2:-20} * 20 ))); do [ -e "$1" ] && return 0; sleep 0.05; done
  fail "timed out waiting for $1"
}
