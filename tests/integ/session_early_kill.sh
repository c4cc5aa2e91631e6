# Sessions come into being whole or not at all. A run killed (SIGKILL) at
# early instants leaves either no session or one with its meta.json, listed
# as `interrupted` (never `unreadable`, never `running` once its process is
# gone), and `log`/`undo` on it do not fail for a missing file. A workbench
# that fails to start (no terminal, a bad config line) or is quit at once
# leaves no session to become `latest`.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
S=$XDG_STATE_HOME/deskhand/sessions
count() { find "$S" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
export ANTHROPIC_API_KEY=test-key-123 ANTHROPIC_BASE_URL=http://127.0.0.1:9

# No terminal: the workbench refuses to start, and keeps nothing.
set +e; "$DESKHAND" --grant "$G" "a task" </dev/null >/dev/null 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "workbench without a terminal"
assert_contains "$(cat "$T/err")" "/dev/tty"
assert_eq "$(count)" 0 "sessions left by a workbench without a terminal"
# A bad config line: the same.
mkdir -p "$XDG_CONFIG_HOME/deskhand"
echo 'bind C-x frobnicate' > "$XDG_CONFIG_HOME/deskhand/config"
steps ":quit"
UI_RC=1 ui_run 80 24 --grant "$G"
assert_contains "$(cat "$T/ui.err")" "config:1"
assert_eq "$(count)" 0 "sessions left by a bad config line"
rm "$XDG_CONFIG_HOME/deskhand/config"
# Opened and quit at once: nothing to keep, and its engine (which has no
# session) is gone when the workbench returns, its lock on the folder with
# it: a workbench started right after on the same folder is not refused.
ui_run 80 24 --grant "$G"
assert_eq "$(count)" 0 "sessions left by a workbench quit at once"
for f in "$XDG_STATE_HOME"/deskhand/snapshots/*.git/deskhand-owner; do
  flock -n "$f" true || fail "the folder's lock is still held after the workbench returned: $(cat "$f")"
done
ui_run 80 24 --grant "$G"
set +e; "$DESKHAND" log >"$T/log" 2>&1; rc=$?; set -e
assert_eq "$rc" 1 "log without sessions"
assert_contains "$(cat "$T/log")" "no sessions yet"

cat > "$T/script.json" <<'JSON'
{"turns": [{"fault": "hang"}, {"fault": "hang"}, {"fault": "hang"}, {"fault": "hang"},
 {"fault": "hang"}, {"fault": "hang"}, {"fault": "hang"}, {"fault": "hang"},
 {"fault": "hang"}, {"fault": "hang"}, {"fault": "hang"}, {"fault": "hang"}]}
JSON
start_fake "$T/script.json"
# A live session is `running`; killed, `interrupted`. How long it took to
# appear sets the instants of the kills below.
t0=$(date +%s%N)
"$DESKHAND" run --grant "$G" --json "live" >/dev/null 2>&1 &
pid=$!
# (ls, not count: a session is made under a hidden .new- name and renamed,
# and the status below needs it under its own name)
for _ in $(seq 1 1000); do [ -n "$(ls "$S" 2>/dev/null)" ] && break; sleep 0.02; done
appear=$(( ($(date +%s%N) - t0) / 1000000 ))
assert_eq "$(count)" 1 "the live session"
assert_eq "$("$DESKHAND" sessions --json | jq -r '.[] | select(.task=="live").status')" running "a live session"
sid=$(ls "$S")
for _ in $(seq 1 1000); do [ -n "$(find "$XDG_STATE_HOME/deskhand" -path "*/refs/deskhand/$sid" -type d)" ] && break; sleep 0.02; done
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
assert_eq "$("$DESKHAND" sessions --json | jq -r '.[] | select(.task=="live").status')" interrupted "a killed session"
echo "a session appeared ${appear} ms after the start"

# Killed early: at 8 instants from the start to twice that time (before and
# after the session comes into being), while the model hangs.
for k in 0 1 2 3 4 5 6 7; do
  ms=$((appear * k / 4))
  "$DESKHAND" run --grant "$G" --json "killed after $ms ms" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  list=$("$DESKHAND" sessions --json) || fail "sessions after a kill at $ms ms"
  bad=$(jq -r '.[] | select(.status != "interrupted") | "\(.id) \(.status)"' <<<"$list")
  [ -z "$bad" ] || fail "after a kill at $ms ms: $bad"
  "$DESKHAND" log >"$T/log" 2>&1 || { cat "$T/log"; fail "log after a kill at $ms ms"; }
  set +e; "$DESKHAND" undo >"$T/undo" 2>&1; set -e
  assert_not_contains "$(cat "$T/undo")" "No such file"
  assert_not_contains "$(cat "$T/log")" "No such file"
done
echo "$(("$(count)" - 1)) sessions kept of 8 early kills"

# Killed before its first checkpoint: no checkpoint list in the grant's store
# (removed here, as the kill would have left it). `log` lists nothing for it.
refs=$(find "$XDG_STATE_HOME/deskhand" -path "*/refs/deskhand/$sid" -type d)
[ -n "$refs" ] || fail "no checkpoint refs for $sid"
rm -rf "$refs"
"$DESKHAND" log "$sid" >"$T/log" 2>&1 || { cat "$T/log"; fail "log on a session without checkpoints"; }
assert_eq "$(cat "$T/log")" "session $sid (interrupted) live
$G" "log on a session without checkpoints"
# ... and undo/restore to a mark on it have nothing to do: no tool call ran.
cp -a "$G" "$T/before"
"$DESKHAND" undo --to baseline --session "$sid" >"$T/undo" 2>&1 || { cat "$T/undo"; fail "undo --to baseline without checkpoints"; }
assert_contains "$(cat "$T/undo")" "no checkpoint yet"
"$DESKHAND" restore --json --session "$sid" head >"$T/undo" 2>&1 || { cat "$T/undo"; fail "restore head without checkpoints"; }
assert_eq "$(jq -r .status "$T/undo")" ok "restore head without checkpoints"
diff -r "$T/before" "$G" || fail "the folder changed"
set +e; "$DESKHAND" restore --session "$sid" 0123abcd >"$T/undo" 2>&1; rc=$?; set -e
assert_eq "$rc" 1 "restore of an unknown checkpoint still fails"
echo ok
