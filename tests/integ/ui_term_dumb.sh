# Terminals the workbench cannot drive. TERM=dumb (an editor's shell buffer,
# a serial line) cannot move the cursor: the workbench refuses at once, with
# exit status 1 and a message that names TERM and 'deskhand run', before an
# engine or a session is started, instead of a blank screen that takes keys
# as text. An unknown TERM is refused the same way; an unset (empty) TERM is
# driven as vt100. 'deskhand run' works on TERM=dumb and writes no colour
# escapes there (as git, which takes TERM=dumb as no colour).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write a file"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "out.txt", "content": "hi\n"}}]},
 {"text": "Wrote out.txt.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"

UI_T=dumb UI_TERM=dumb ui_start 80 24 --grant "$G" "write it"
UI_T=dumb ui_wait "EXIT=1"
err=$(cat "$T/ui-dumb.err")
assert_contains "$err" "deskhand: the workbench needs a terminal that can move the cursor, and TERM=dumb cannot"
assert_contains "$err" "deskhand run"
[ -z "$(ls -A "$XDG_STATE_HOME/deskhand/sessions" 2>/dev/null)" ] || fail "a session was started"
[ ! -s "$FAKE_LOG" ] || fail "the model was asked"

UI_T=unknown UI_TERM=unknown-term-dh ui_start 80 24 --grant "$G"
UI_T=unknown ui_wait "EXIT=1"
assert_contains "$(cat "$T/ui-unknown.err")" "does not know the terminal TERM=unknown-term-dh (no usable terminfo entry)"

# TERM empty: vt100, in ASCII without a UTF-8 locale.
UI_T=empty UI_LC=C UI_ENV="TERM=" ui_start 80 24 --grant "$G"
UI_T=empty ui_wait " | ask | 1 grant | "
UI_T=empty ui_keys Escape
UI_T=empty ui_wait "i: type a task"
UI_T=empty ui_keys q
UI_T=empty ui_wait "EXIT=0"

# The headless run on TERM=dumb, on a terminal, colours allowed.
tm new-session -d -s run -x 100 -y 30 "$(tm_cmd "env HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL ANTHROPIC_API_KEY=test-key-123 DH_SANDBOX=$DH_SANDBOX LC_ALL=C.UTF-8 TERM=dumb NO_COLOR= ASAN_OPTIONS=${ASAN_OPTIONS:-} LSAN_OPTIONS=${LSAN_OPTIONS:-} $DESKHAND run --grant $G --approve-plan --mode auto 'write it' 2>$T/run.err")"
UI_T=run ui_wait "EXIT=0" 20
s=$(tm capture-pane -p -e -t run -S -)
echo "$s"
assert_contains "$s" "Wrote out.txt."
[ "$(cat "$G/out.txt")" = hi ] || fail "out.txt not written"
if grep -q $'\033\\[' <<<"$s"; then fail "colour escapes on TERM=dumb: $(grep $'\033\\[' <<<"$s" | head -3 | cat -v)"; fi
# deskhand diff on a terminal colours its lines, but not on TERM=dumb.
tm new-session -d -s diff -x 100 -y 30 -c "$G" "$(tm_cmd "env HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR DH_SANDBOX=$DH_SANDBOX LC_ALL=C.UTF-8 TERM=dumb NO_COLOR= ASAN_OPTIONS=${ASAN_OPTIONS:-} LSAN_OPTIONS=${LSAN_OPTIONS:-} $DESKHAND diff 2>$T/diff.err")"
UI_T=diff ui_wait "EXIT=0" 20
s=$(tm capture-pane -p -e -t diff -S -)
echo "$s"
assert_contains "$s" "+hi"
if grep -q $'\033\\[' <<<"$s"; then fail "colour escapes in the diff on TERM=dumb: $(grep $'\033\\[' <<<"$s" | head -3 | cat -v)"; fi
echo ok
