# Shared helpers for tests/integ/*.sh (source it). Pins the environment so runs
# are reproducible: HOME and XDG dirs in a fresh temporary directory, UTC, C.UTF-8.
set -eu
: "${DH_BUILD:?DH_BUILD must name the build directory}"
DH_TESTS=${DH_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
DESKHAND=$DH_BUILD/deskhand
# DH_TEST_SANDBOX: another helper binary to test (run.sh's second pass of the sandbox
# tests over the release build's static helper, DH_RELEASE_SANDBOX).
SANDBOX=${DH_TEST_SANDBOX:-$DH_BUILD/deskhand-sandbox}
T=$(mktemp -d /tmp/dhtest.XXXXXX)
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_STATE_HOME=$T/home/.local/state
# Each test has its own engine socket directory (client_socket_dir()).
export XDG_RUNTIME_DIR=$T/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
export TZ=UTC LC_ALL=C.UTF-8 NO_COLOR=1
export DH_SANDBOX=$SANDBOX
unset ANTHROPIC_API_KEY ANTHROPIC_BASE_URL DH_CONFIG OPENAI_API_KEY OPENROUTER_API_KEY
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"
FAKE_PID=
FAKE_PIDS= # every fake server start_fake* started: a test may start several
WEB_PID=
# kill_engines: every engine whose pid file is in this test's socket directory
# gets SIGTERM, then SIGKILL after 2 s if still there.
kill_engines() {
  local f pids=() p
  for f in "$XDG_RUNTIME_DIR"/deskhand/*.pid; do
    [ -e "$f" ] || continue
    p=$(cat "$f" 2>/dev/null) || continue
    [[ "$p" =~ ^[0-9]+$ ]] && kill -0 "$p" 2>/dev/null && { kill -TERM "$p" 2>/dev/null; pids+=("$p"); }
  done
  [ ${#pids[@]} -eq 0 ] && return 0
  for _ in $(seq 1 40); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && return 0
    sleep 0.05
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
}
cleanup() {
  kill_engines
  # The fake servers are stopped and waited for, so none is still exiting
  # when the suite looks for what the test left behind (tests/run.sh). Only
  # this shell's own jobs: a pid a test already waited for may be another
  # process's by now.
  local p live
  live=" $(jobs -p | tr '\n' ' ') "
  for p in $FAKE_PIDS $FAKE_PID $WEB_PID; do
    [[ "$live" == *" $p "* ]] && { kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; }
  done
  rm -rf "$T"
}
trap cleanup EXIT

# fail MSG: the test fails. A sanitizer's report in one of the test's
# files (a deskhand run's stderr kept as $T/err, say) is shown with it:
# an exit status of 99 alone says only that ASan or LSan found something.
fail() {
  echo "FAIL: $*" >&2
  local f
  for f in $(grep -D skip -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T"/* 2>/dev/null | head -3); do
    echo "--- sanitizer report in $f:" >&2
    grep -A 40 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" | head -60 >&2
  done
  exit 1
}
skip() { echo "skip: $*"; exit 77; }
# small_state SIZE: the state directory on a tmpfs of SIZE (a full disk for the
# transcript and the checkpoints), unmounted at exit; skips without root.
small_state() {
  [ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
  mkdir -p "$T/small"
  mount -t tmpfs -o "size=$1" tmpfs "$T/small" 2>/dev/null || skip "cannot mount a tmpfs here"
  trap 'umount "$T/small" 2>/dev/null; cleanup' EXIT
  export XDG_STATE_HOME=$T/small
}
assert_eq() { [ "$1" = "$2" ] || fail "expected '$2', got '$1'${3:+ ($3)}"; }
assert_contains() { grep -qF -- "$2" <<<"$1" || fail "expected to find '$2' in: $(head -c 2000 <<<"$1")"; }
assert_not_contains() { ! grep -qF -- "$2" <<<"$1" || fail "did not expect '$2' in: $(head -c 2000 <<<"$1")"; }
assert_file_contains() { grep -qF -- "$2" "$1" || fail "expected '$2' in $1"; }

# as_nobody: "${AS[@]}" CMD... then runs CMD as uid/gid 65534, who unlike
# root is held to the permission bits (AS is empty until then: CMD runs as
# the test). The test's directory $T becomes theirs, with $T searchable, so
# call it once the test's files are in place. Skips the test where setpriv
# is missing or bwrap cannot run as that user.
AS=()
as_nobody() {
  command -v setpriv >/dev/null || skip "no setpriv"
  AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
  "${AS[@]}" bwrap --ro-bind / / --unshare-all true 2>/dev/null \
    || skip "bwrap cannot run as uid 65534 here"
  chmod 755 "$T"
  chown -R 65534:65534 "$T"
}

# start_fake SCRIPT.json [extra args]: starts the fake Anthropic server on a free
# loopback port; sets FAKE_URL, FAKE_LOG (JSONL of received requests) and exports
# ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY for deskhand.
start_fake() {
  local script=$1; shift
  FAKE_LOG=$T/fake-requests.jsonl; rm -f "$T/fake.port"
  python3 "$DH_TESTS/fake/anthropic_server.py" --script "$script" --log "$FAKE_LOG" \
    --port-file "$T/fake.port" "$@" >"$T/fake.out" 2>&1 &
  FAKE_PID=$!; FAKE_PIDS="$FAKE_PIDS $!"
  for _ in $(seq 1 100); do [ -s "$T/fake.port" ] && break; sleep 0.05; done
  [ -s "$T/fake.port" ] || { cat "$T/fake.out" >&2; fail "fake server did not start"; }
  FAKE_URL=http://127.0.0.1:$(cat "$T/fake.port")
  export ANTHROPIC_BASE_URL=$FAKE_URL ANTHROPIC_API_KEY=test-key-123
}

# start_fake_openai SCRIPT.json [extra args]: starts the fake OpenAI-compatible
# server (tests/fake/openai_server.py) on a free loopback port; sets FAKE_URL,
# FAKE_LOG and FAKE_PID, exports OPENAI_API_KEY, and points the built-in
# provider `openai` at it with a config file named by DH_CONFIG (the model:
# openai/gpt-4o).
start_fake_openai() {
  local script=$1; shift
  FAKE_LOG=$T/fake-requests.jsonl; rm -f "$T/fake.port"
  python3 "$DH_TESTS/fake/openai_server.py" --script "$script" --log "$FAKE_LOG" \
    --port-file "$T/fake.port" "$@" >"$T/fake.out" 2>&1 &
  FAKE_PID=$!; FAKE_PIDS="$FAKE_PIDS $!"
  for _ in $(seq 1 100); do [ -s "$T/fake.port" ] && break; sleep 0.05; done
  [ -s "$T/fake.port" ] || { cat "$T/fake.out" >&2; fail "fake server did not start"; }
  FAKE_URL=http://127.0.0.1:$(cat "$T/fake.port")
  export OPENAI_API_KEY=test-key-123
  printf 'set model = openai/gpt-4o\nprovider openai base_url = %s/v1\n' "$FAKE_URL" > "$T/openai.conf"
  export DH_CONFIG=$T/openai.conf
}

# run_fails_once NAME EXPECTED: `deskhand run` on the grant $G fails (exit 1)
# with a one-line error holding EXPECTED (kept in $T/NAME.err), after one
# request to the fake server whose log is $FAKE_LOG: it was not retried.
run_fails_once() {
  local rc=0 n err
  n=$(wc -l < "$FAKE_LOG")
  "$DESKHAND" run --grant "$G" "hi" >/dev/null 2>"$T/$1.err" || rc=$?
  assert_eq "$rc" 1 "$1 exit status"
  err=$(cat "$T/$1.err")
  assert_contains "$err" "$2"
  [ "$(grep -c . <<<"$err")" -eq 1 ] || fail "$1: expected a one-line error, got: $err"
  assert_eq "$(wc -l < "$FAKE_LOG")" $((n + 1)) "$1 is not retried"
}

# start_web: starts tests/fake/web_server.py on a free loopback port; sets WEB_PORT
# and WEB_LOG (one "METHOD PATH" line per request it received).
start_web() {
  WEB_LOG=$T/web-requests.log; rm -f "$T/web.port"
  python3 "$DH_TESTS/fake/web_server.py" --port-file "$T/web.port" --log "$WEB_LOG" >"$T/web.out" 2>&1 &
  WEB_PID=$!
  for _ in $(seq 1 100); do [ -s "$T/web.port" ] && break; sleep 0.05; done
  [ -s "$T/web.port" ] || { cat "$T/web.out" >&2; fail "web server did not start"; }
  WEB_PORT=$(cat "$T/web.port")
}

# run_killed_in_command GRANT TASK [OPTION...]: runs `deskhand run --json`
# (auto mode, plan approved, and the OPTIONs) on GRANT, waits until the file
# GRANT/ready appears (the script's run_command creates it after changing
# the folder, then sleeps) and kills deskhand with SIGKILL there: mid tool
# call, before its checkpoint. The --json output is in $T/out.
run_killed_in_command() {
  "$DESKHAND" run --grant "$1" --approve-plan --mode auto --json "${@:3}" "$2" > "$T/out" 2>"$T/err" &
  local pid=$!
  for _ in $(seq 1 400); do [ -e "$1/ready" ] && break; sleep 0.05; done
  [ -e "$1/ready" ] || { kill -9 $pid; cat "$T/err"; fail "the command never ran"; }
  kill -9 $pid
  wait $pid 2>/dev/null || true
  sleep 0.2
}

# kill_in_first_start TASK_FILE GRANT...: a detached engine on the GRANTs
# starts a new session's first task (TASK_FILE's text) and is killed with
# SIGKILL once the session exists, while the task's skills are still read
# (give big_skill_folders for that): before the task's text reached the
# transcript (tests/integ/kill_first_start.py). Sets $sid to the one
# session there is.
kill_in_first_start() {
  DESKHAND=$DESKHAND python3 "$DH_TESTS/integ/kill_first_start.py" "$@" > "$T/py.out" 2>&1 ||
    { cat "$T/py.out"; fail "the engine was not killed while its task started"; }
  sid=$(ls "$XDG_STATE_HOME/deskhand/sessions")
  [ "$(wc -w <<<"$sid")" = 1 ] || fail "expected one session, got: $sid"
}

# engine_spawn ARGS...: a detached `deskhand engine` with ARGS (the options
# `deskhand run` takes; tests/integ/server_client.py spawn), for a test that
# speaks the protocol itself; sets ENGINE_ID and ENGINE_TR (its transcript).
engine_spawn() {
  local ready
  ready=$(DESKHAND=$DESKHAND python3 "$DH_TESTS/integ/server_client.py" spawn "$@") ||
    fail "spawn: $ready"
  ENGINE_ID=${ready#ok }
  ENGINE_TR=$XDG_STATE_HOME/deskhand/sessions/$ENGINE_ID/transcript.jsonl
}

# engine_wait_record TYPE: until the spawned engine's transcript has a TYPE
# record (approval_needed, say); fails after 10 s.
engine_wait_record() {
  for _ in $(seq 1 200); do grep -q "\"$1\"" "$ENGINE_TR" 2>/dev/null && return 0; sleep 0.05; done
  fail "no $1 record in $ENGINE_TR"
}

# bwrap_or_skip: exit 77 when bubblewrap cannot create namespaces here.
bwrap_or_skip() {
  bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
    || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
}

# assert_strict_jsonl FILE...: every line of each FILE is one JSON value that a
# strict parser accepts (the bytes decoded strictly as UTF-8, no raw control
# characters); names the file and line at fault.
assert_strict_jsonl() {
  python3 - "$@" <<'PY' || fail "not strict JSON lines: $*"
import json, sys
for f in sys.argv[1:]:
    data = open(f, "rb").read()
    for no, line in enumerate(data.split(b"\n"), 1):
        if not line:
            continue
        try:
            json.loads(line.decode("utf-8"))
        except ValueError as e:
            sys.exit("%s:%d: %s: %r" % (f, no, e, line[:200]))
PY
}

# run_task SCRIPT OUT: the fake server on SCRIPT, then one `deskhand run` on
# the folder $G (--approve-plan --mode auto --json), its events into OUT and
# its stderr into OUT.err; the session must finish "done".
run_task() {
  start_fake "$1"
  "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "task" > "$2" 2>"$2.err" ||
    { local rc=$?; cat "$2.err"; fail "run exited $rc"; }
  assert_eq "$(jq -r 'select(.type=="session_finished").status' "$2")" done "the session's status"
}

# snap_two_edits DIR OUT: a finished session granted DIR, made with f1.txt
# ("line 1") and f2.txt ("line 2"), that edits f1.txt, then f2.txt: its
# checkpoints are the baseline and one per edit. Its events go to OUT; SID
# is set to the session and R to DIR's shadow repository.
snap_two_edits() {
  cat > "$T/two_edits.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "f1.txt", "old_string": "line 1", "new_string": "LINE 1"}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "f2.txt", "old_string": "line 2", "new_string": "LINE 2"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
  mkdir -p "$1"; echo "line 1" > "$1/f1.txt"; echo "line 2" > "$1/f2.txt"
  G=$1 run_task "$T/two_edits.json" "$2"
  kill "$FAKE_PID" 2>/dev/null || true
  assert_eq "$(cat "$1/f1.txt" "$1/f2.txt")" "LINE 1
LINE 2" "the folder after the edits"
  SID=$(jq -r 'select(.type=="session_started").session' "$2")
  local c
  R=
  for c in "$XDG_STATE_HOME"/deskhand/snapshots/*.git/config; do
    [ "$(git config --file "$c" deskhand.workdir)" = "$1" ] && R=$(dirname "$c")
  done
  [ -n "$R" ] || fail "no shadow repository for $1"
}

# loose_object REPO ID: the file of object ID when it is loose in REPO.
loose_object() { echo "$1/objects/${2:0:2}/${2:2}"; }

# folder_listing DIR: every path under DIR with its mode, type and link target,
# sorted: two folders with the same listing and no `diff -r` difference are
# the same tree.
folder_listing() { (cd "$1" && find . -printf '%m %y %p %l\n' | sort); }

# undo_traced FOLDER ORIG SYSCALLS: `deskhand undo --to baseline` of the latest
# session under strace, watching SYSCALLS (strace -e trace=..., fds shown with
# their paths) into $T/strace; FOLDER must then be ORIG again, byte for byte,
# with the same modes and types.
undo_traced() {
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -qq -y -e trace="$3" -o "$T/strace" \
    "$DESKHAND" undo --to baseline > "$T/undo.out" 2>&1 || { local rc=$?; cat "$T/undo.out"; fail "undo exited $rc"; }
  cat "$T/undo.out"
  diff -r "$2" "$1" || fail "the folder differs from the original after the undo"
  assert_eq "$(folder_listing "$1")" "$(folder_listing "$2")" "find listing after the undo"
}

# live_state ID: the state `deskhand ls --json` gives session ID (working,
# waiting, idle, done, failed), or nothing when it is not live.
live_state() {
  "$DESKHAND" ls --json 2>>"$T/ls.err" \
    | jq -r --arg s "$1" '.[] | select((.session // .id) == $s) | (.state // .activity)'
}

# wait_requests N [SECONDS]: polls until the fake server has logged N
# requests ($FAKE_LOG, one line each); 1 if not within SECONDS (10).
wait_requests() {
  local i
  for i in $(seq 1 $(( ${2:-10} * 20 ))); do
    [ "$(wc -l < "$FAKE_LOG" 2>/dev/null || echo 0)" -ge "$1" ] && return 0
    sleep 0.05
  done
  return 1
}

# wait_gone PATTERN WHAT: waits (10 s at most) until no process's command
# line matches PATTERN (pgrep -f): an engine whose clients left exits, and
# one still exiting when the test ends is found running and killed as a
# stray.
wait_gone() {
  local _
  for _ in $(seq 1 200); do pgrep -f -- "$1" >/dev/null || return 0; sleep 0.05; done
  fail "$2 is still there 10 s later: $(pgrep -af -- "$1")"
}

# wait_state ID STATE [SECONDS]: polls `deskhand ls --json` until ID is STATE.
wait_state() {
  local deadline=$(( $(date +%s) + ${3:-20} )) st=
  while [ "$(date +%s)" -le "$deadline" ]; do
    st=$(live_state "$1")
    [ "$st" = "$2" ] && return 0
    sleep 0.1
  done
  "$DESKHAND" ls >&2 || true; cat "$T/ls.err" >&2 2>/dev/null
  fail "session $1 is '$st' in ls, not '$2'"
}

# run_detached MODE TASK: `deskhand run --detach` of TASK on $G (plan
# approved, --mode MODE, --json); its output in $out, its session id in $sid.
run_detached() {
  out=$("$DESKHAND" run --detach --grant "$G" --approve-plan --mode "$1" --json "$2" \
    </dev/null 2>"$T/run.err") || { cat "$T/run.err"; fail "run --detach failed"; }
  sid=$(jq -r .session <<<"$out")
  [ -n "$sid" ] && [ "$sid" != null ] || fail "no session id in: $out"
}

# big_skill_folders PREFIX N: N folders PREFIX1..PREFIXN, each with a trusted
# skill bigI holding 15 MiB of random data, so that a task's start (which
# hashes every skill file) takes a while; adds "--grant PREFIXi" to the
# array BIG_GRANTS.
big_skill_folders() {
  local i G S
  for i in $(seq "$2"); do
    G=$1$i; S=$G/.agents/skills/big$i; mkdir -p "$S"
    printf -- '---\nname: big%s\ndescription: Big skill %s.\n---\nBODY\n' "$i" "$i" > "$S/SKILL.md"
    head -c $((15 << 20)) /dev/urandom > "$S/data.bin"
    "$DESKHAND" skills trust "$G" >/dev/null || fail "skills trust failed"
    BIG_GRANTS+=(--grant "$G")
  done
}
