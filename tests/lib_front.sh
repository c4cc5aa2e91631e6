# Helpers for the front_*.sh tests (source after lib.sh, which gives each
# test its own engines' socket directory and kills its engines at exit).
SOCKDIR=$XDG_RUNTIME_DIR/deskhand

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
