# The warm engine keeps a spare: a run's process forked in advance, in a
# session of its own, which the next `deskhand run` is handed to (its
# fork and new session are then not on the launch's path; engine/warm.h).
# The spare is no run: not counted, and no reason for the warm engine to
# stay (--stop, --idle). It holds nothing of the shell's or of a client's,
# is replaced once it took a run or died, and dies with the warm engine.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
W=$XDG_RUNTIME_DIR/deskhand/warm
cat > "$T/write.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "out.txt", "content": "warm\n"}}]},
 {"text": "Written.", "stop_reason": "end_turn"}
]}
JSON
status_of() { "$DESKHAND" warm --status | sed -n "s/^$1 //p"; }
# spare_of WPID [OLD]: the spare of the warm engine WPID, once there is one
# (and it is not OLD)
spare_of() {
  local s
  for _ in $(seq 1 100); do
    s=$(pgrep -P "$1" -x deskhand-spare || true)
    [ -n "$s" ] && [ "$s" != "${2:-}" ] && [ "$(echo "$s" | wc -l)" = 1 ] && { echo "$s"; return; }
    sleep 0.05
  done
  fail "no spare of the warm engine $1 (other than '${2:-}'): $(ps -o pid,ppid,sid,comm --ppid "$1" || true)"
}
# fds_of PID: its descriptors, one "N -> TARGET" a line (sockets as socket)
fds_of() {
  local f
  for f in /proc/"$1"/fd/*; do
    echo "${f##*/} -> $(readlink "$f" | sed 's/^socket:.*/socket/')"
  done
}
# check_spare WPID SPARE: a child of the warm engine, alone in its session,
# with /dev/null and its channel only
check_spare() {
  assert_eq "$(awk '/^PPid:/ {print $2}' "/proc/$2/status")" "$1" "the spare's parent"
  assert_eq "$(ps -o sid= -p "$2" | tr -d ' ')" "$2" "the spare's session"
  assert_eq "$(fds_of "$2")" "0 -> /dev/null
1 -> /dev/null
2 -> /dev/null
3 -> socket" "the spare's descriptors"
}
gone() { for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done; return 1; }

start_fake "$T/write.json"
# In the foreground, the warm engine has the shell's descriptors (9 and
# its output); its spare has none of them.
"$DESKHAND" warm --foreground 9>"$T/held" > "$T/fg.out" 2>&1 &
fgpid=$!
for _ in $(seq 1 200); do [ -S "$W" ] && break; sleep 0.05; done
[ -S "$W" ] || fail "the warm engine does not listen: $(cat "$T/fg.out")"
wpid=$(status_of pid)
assert_eq "$wpid" "$fgpid" "the warm engine in the foreground"
s1=$(spare_of "$wpid")
check_spare "$wpid" "$s1"
assert_eq "$(status_of running)" 0 "runs running with a spare ready"
assert_eq "$(status_of runs)" 0 "runs made with a spare ready"

# A run is handed to the spare; a new one is forked for the next.
(cd "$G" && ANTHROPIC_API_KEY=k "$DESKHAND" run --grant . --approve-plan --mode auto --json \
  "write it" > "$T/run.out" 2> "$T/run.err") ||
  fail "the run through the warm engine exited $?: $(cat "$T/run.err")"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/run.out")" done
assert_eq "$(cat "$G/out.txt")" "warm" "the file the run wrote, in the client's directory"
grep -q "run $s1: write it" "$XDG_STATE_HOME/deskhand/warm.log" ||
  fail "the run was not the spare's ($s1): $(cat "$XDG_STATE_HOME/deskhand/warm.log")"
s2=$(spare_of "$wpid" "$s1")
check_spare "$wpid" "$s2"
assert_eq "$(status_of runs)" 1 "runs made"
assert_eq "$(status_of running)" 0 "runs running once it ended"
assert_eq "$(status_of abandoned)" 0 "runs abandoned"

# A spare killed: a run still goes (forked if none is ready), and a spare
# is there again.
kill -KILL "$s2"
kill "$FAKE_PID"
start_fake "$T/write.json"
rm -f "$G/out.txt"
(cd "$G" && ANTHROPIC_API_KEY=k "$DESKHAND" run --grant . --approve-plan --mode auto --json \
  "write it" > "$T/run2.out" 2> "$T/run2.err") ||
  fail "the run after the spare was killed exited $?: $(cat "$T/run2.err")"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/run2.out")" done
assert_eq "$(cat "$G/out.txt")" "warm" "the file the run after the spare was killed wrote"
s3=$(spare_of "$wpid" "$s2")
check_spare "$wpid" "$s3"
assert_eq "$(status_of runs)" 2 "runs made, one after the spare was killed"
assert_eq "$(status_of running)" 0 "runs running"

# --stop: the warm engine and its spare go.
assert_eq "$("$DESKHAND" warm --stop)" stopped
rc=0; wait "$fgpid" || rc=$?
assert_eq "$rc" 0 "the warm engine's exit status after --stop: $(cat "$T/fg.out")"
gone "$s3" || fail "the spare outlived --stop: $(ps -o pid,ppid,stat,comm -p "$s3")"
kill "$FAKE_PID"

# Killed outright, the warm engine takes its spare with it.
"$DESKHAND" warm > /dev/null || fail "warm exited $?"
wpid=$(cat "$W.pid")
s1=$(spare_of "$wpid")
kill -KILL "$wpid"
gone "$s1" || fail "the spare outlived its warm engine: $(ps -o pid,ppid,stat,comm -p "$s1")"
rm -f "$W" "$W.pid"

# --idle: the spare is no run; the warm engine exits on time.
"$DESKHAND" warm --idle 1 > /dev/null || fail "warm --idle exited $?"
wpid=$(cat "$W.pid")
s1=$(spare_of "$wpid")
gone "$wpid" || fail "the warm engine with a spare did not exit after --idle 1"
gone "$s1" || fail "the spare outlived --idle"
echo "ok"
