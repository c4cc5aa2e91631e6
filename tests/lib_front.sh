# Helpers for the front_*.sh tests (source after lib.sh): each test has its
# own engines' socket directory, and every engine it started is killed at
# exit (also when lib.sh's cleanup does the same).
case "${XDG_RUNTIME_DIR:-}" in
  "$T"/*) ;;
  *) export XDG_RUNTIME_DIR=$T/run; mkdir -p -m 700 "$XDG_RUNTIME_DIR" ;;
esac
SOCKDIR=$XDG_RUNTIME_DIR/deskhand
front_cleanup() {
  local f pid
  for f in "$SOCKDIR"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null) || continue
    case "$pid" in ''|*[!0-9]*) continue ;; esac
    kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 40); do
    ls "$SOCKDIR"/*.pid >/dev/null 2>&1 || break
    sleep 0.05
  done
  for f in "$SOCKDIR"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null) || continue
    case "$pid" in ''|*[!0-9]*) continue ;; esac
    kill -KILL "$pid" 2>/dev/null || true
  done
  cleanup
}
trap front_cleanup EXIT

# now_ms: wall clock in ms.
now_ms() { date +%s%3N; }

# wait_state ID STATE [TRIES]: until `deskhand ls --json` shows session ID in STATE.
wait_state() {
  local st
  for _ in $(seq 1 "${3:-200}"); do
    st=$("$DESKHAND" ls --json 2>/dev/null | jq -r --arg id "$1" '.[] | select(.id == $id) | .state')
    [ "$st" = "$2" ] && return 0
    sleep 0.05
  done
  "$DESKHAND" ls >&2 || true
  fail "session $1 never showed '$2' in ls (last: '$st')"
}
