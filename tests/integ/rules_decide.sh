# Permission rules decide calls headless: the person's config allows a tool
# and a command prefix and asks for reads under private/; the folder's own
# .deskhand/config adds a deny (which beats the person's allow) and tries to
# loosen (an allow, a `set mode`), which is refused with warnings naming
# file:line. Every rule decision names the rule and where it is written.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/private" "$G/.deskhand"
echo secret > "$G/private/x.txt"; echo open > "$G/public.txt"
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cfg=$XDG_CONFIG_HOME/deskhand/config
cat > "$cfg" <<'CFG'
allow write_file
allow run_command(echo)
ask read_file(private/*)
CFG
cat > "$G/.deskhand/config" <<'CFG'
deny write_file(*.env)
allow run_command
set mode = auto
CFG
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "go"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes.md", "content": "N\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "app/.env", "content": "K=1\n"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo hi > said"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo hi"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "touch made"}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "private/x.txt"}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "public.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --json --dangerously-run-commands-unsandboxed \
  "go" >"$T/out" 2>"$T/err" || true
decided() { jq -r "select(.type==\"approval_decided\") | \"\(.approved) \(.message)\"" "$T/out"; }
d=$(decided)
assert_contains "$d" "true rule 'allow write_file' ($cfg:1)"
assert_contains "$d" "false rule 'deny write_file(*.env)' ($G/.deskhand/config:1)"
assert_contains "$d" "true rule 'allow run_command(echo)' ($cfg:2)"
assert_contains "$d" "false no terminal to ask (rule 'ask read_file(private/*)' ($cfg:3))"
# "echo hi > said" holds a control character: the allow does not reach it,
# and the folder's `allow run_command` is refused, so nothing allows it or
# "touch made": both are asked, and there is nobody to ask.
assert_eq "$(decided | grep -c '^false no terminal to ask$')" 2
[ "$(cat "$G/notes.md")" = N ] || fail "the allowed write did not happen"
[ ! -e "$G/app/.env" ] || fail "the denied write happened"
[ ! -e "$G/said" ] && [ ! -e "$G/made" ] || fail "an unallowed command ran"
res() { jq -r "select(.type==\"tool_result\" and .name==\"$1\") | .output" "$T/out"; }
# the folder's rule, named as such: not as the person's
assert_contains "$(res write_file)" \
  "write_file denied by rule 'deny write_file(*.env)' ($G/.deskhand/config:1); nothing was run."
assert_not_contains "$(res write_file)" "the person's"
assert_contains "$(res read_file)" "open"
assert_not_contains "$(res read_file)" "secret"
a=$(jq -r 'select(.type=="audit" and .name=="rules") | .detail' "$T/out")
assert_contains "$a" "$G/.deskhand/config:2: a folder's config may add ask and deny rules, never allow (allow rules go in your own config): allow run_command"
assert_contains "$a" "$G/.deskhand/config:3: a folder's config holds only ask and deny rules (settings and bindings go in your own config): set mode = auto"
assert_eq "$(jq -r 'select(.type=="session_started") | .mode' "$T/out")" ask
# An ask rule asks even in auto mode and for a read-only tool, and says so;
# "always" cannot outrank it: the call is allowed once and the next asked.
cat > "$T/script3.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "private/x.txt"}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "private/x.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script3.json"
fifo=$T/cmd; mkfifo "$fifo"
DH_CONFIG=/dev/null "$DESKHAND" run --grant "$G" --mode auto --json --commands "read" \
  <"$fifo" >"$T/out3" 2>"$T/err3" &
pid=$!
exec 9>"$fifo"
wait_for() { for _ in $(seq 1 200); do [ "$(grep -c "$1" "$T/out3")" -ge "$2" ] && return 0; sleep 0.05; done; cat "$T/out3" "$T/err3"; fail "timed out waiting for $1"; }
wait_for '"approval_needed"' 1
echo '{"type":"approve","always":true}' >&9
wait_for '"approval_needed"' 2
echo '{"type":"deny"}' >&9
exec 9>&-
wait $pid || true
assert_eq "$(jq -r 'select(.type=="approval_needed") | .reason' "$T/out3" | sort -u)" \
  "asked by rule 'ask read_file(private/*)' ($cfg:3)"
assert_contains "$(jq -r 'select(.type=="approval_decided") | .message' "$T/out3")" \
  "allowed once: asked by rule 'ask read_file(private/*)' ($cfg:3) every time"
# A malformed folder line stops the session, naming file:line.
printf 'deny write_file(*.env\n' > "$G/.deskhand/config"
rc=0; "$DESKHAND" run --grant "$G" "go" >/dev/null 2>"$T/err2" || rc=$?
[ "$rc" -ne 0 ] || fail "a malformed folder rule was accepted"
assert_contains "$(cat "$T/err2")" "$G/.deskhand/config:1: the pattern of 'write_file(' has no closing ')'"
echo ok
