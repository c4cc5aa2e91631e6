# A socket directory too long for a session's socket (DIR/ID.sock past the
# 107 bytes of a Unix socket address): the engine refuses to start, naming
# the directory, before it creates a session. `run --detach` exits 1 with
# that message and leaves no session behind (it used to start the task, take
# the baseline and leave an "interrupted" session nobody ever saw run); an
# engine with no task yet (the workbench's), whose new-PID.sock would still
# fit, is refused too rather than renaming its socket to a path no client can
# connect to once the task starts.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Should not run.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
# $XDG_RUNTIME_DIR/deskhand/ is 90 bytes: new-PID.sock fits, ID.sock does not
pad=$(( 80 - ${#T} - 1 ))
R=$T/$(printf 'r%.0s' $(seq 1 "$pad"))
mkdir -m 700 "$R"
export XDG_RUNTIME_DIR=$R
D=$R/deskhand
[ "${#D}" = 89 ] || fail "socket directory is ${#D} bytes: $D"
rc=0
"$DESKHAND" run --detach --grant "$G" --mode auto --json "a task" </dev/null >"$T/out" 2>"$T/err" ||
  rc=$?
assert_eq "$rc" 1 "run --detach's exit status"
err=$(cat "$T/err")
assert_contains "$err" "socket directory $D: too long for a session's socket"
assert_contains "$err" "XDG_RUNTIME_DIR"
S=$XDG_STATE_HOME/deskhand/sessions
assert_eq "$(ls "$S" 2>/dev/null | wc -l)" 0 "sessions left by the refused engine"
r=$(python3 "$DH_TESTS/integ/server_client.py" spawn --grant "$G") && fail "an engine started: $r"
assert_contains "$r" "socket directory $D: too long"
assert_eq "$(ls "$D" 2>/dev/null | wc -l)" 0 "files left in the socket directory"
echo ok
