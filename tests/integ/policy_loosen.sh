# The managed policy cannot be loosened: the person's config, a folder's
# .deskhand/config and a command-line flag each try to change a locked
# setting, a rule, the mode, a cap, the audit log and its key and the
# unsandboxed flag, and each refusal names the policy's file and line. The
# session's audit log records the policy and is signed with its key. A
# policy not owned by root or writable by
# others is refused whole, naming it.
. "$DH_TESTS/lib.sh"
[ "$(id -u)" = 0 ] || skip "a managed policy must be root's: run as root"
[ -e /etc/deskhand/policy ] && skip "this machine has its own /etc/deskhand/policy"
P=$T/etc/policy; mkdir -p "$T/etc"
cat >"$P" <<'POL'
# the administrator's
set mode = ask
set allow_unsandboxed = off
deny run_command(curl)
ask write_file
set max_turns = 20
lock watch
set max_cost = 5
lock audit
set audit_key = @KEY@
POL
sed -i "s|@KEY@|$T/etc/audit.key|" "$P"
chmod 644 "$P"
export DH_POLICY_FILE=$P
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "$(dirname "$cfg")"
dump() { "$DESKHAND" --dump-config 2>"$T/err"; }
refused() { # CONFIG-LINE EXPECTED: the person's config holding the line is refused
  printf '%s\n' "$1" >"$cfg"
  local rc=0; dump >/dev/null || rc=$?
  assert_eq "$rc" 1 "$1"
  assert_contains "$(cat "$T/err")" "$cfg:1: $2"
}

# Without a config of the person's: the policy's values, and nothing refused.
: >"$cfg"
out=$(dump) || fail "policy refused: $(cat "$T/err")"
assert_contains "$out" "set mode = ask"
assert_contains "$out" "set allow_unsandboxed = off"
assert_contains "$out" "deny run_command(curl)"

# The person's config: a locked setting, the mode, the unsandboxed flag, a rule.
refused "set max_turns = 500" "'max_turns' is locked to '20' by the managed policy ($P:6)"
refused "set mode = auto" "'mode' is locked to 'ask' by the managed policy ($P:2)"
refused "set allow_unsandboxed = on" "'allow_unsandboxed' is locked to 'off' by the managed policy ($P:3)"
refused "set watch = off" "'watch' is locked to 'on' by the managed policy ($P:7)"
# caps, the audit log and its key
refused "set max_cost = 50" "'max_cost' is locked to '5' by the managed policy ($P:8)"
refused "set audit = off" "'audit' is locked to 'on' by the managed policy ($P:9)"
refused "set audit_key = $T/mine.key" "'audit_key' is locked to '$T/etc/audit.key' by the managed policy ($P:10)"
refused "allow run_command(curl -s x.org)" \
  "rule 'allow run_command(curl -s x.org)' would loosen the managed policy's rule 'deny run_command(curl)' ($P:4)"
refused "allow write_file(notes/*)" \
  "rule 'allow write_file(notes/*)' would loosen the managed policy's rule 'ask write_file' ($P:5)"
refused "ask run_command" \
  "rule 'ask run_command' would loosen the managed policy's rule 'deny run_command(curl)' ($P:4)"
# What does not loosen it stands: the locked value again, a stricter rule,
# a rule about something else.
printf 'set mode = ask\ndeny write_file(*.env)\nallow read_file\nset max_cost_per_day = 2\n' >"$cfg"
dump >/dev/null || fail "a config that loosens nothing was refused: $(cat "$T/err")"
# $DH_CONFIG is the person's too.
printf 'set mode = auto\n' >"$T/extra"
rc=0; DH_CONFIG=$T/extra "$DESKHAND" --dump-config >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "$T/extra:1: 'mode' is locked to 'ask' by the managed policy ($P:2)"
: >"$cfg"

# A command-line flag: --mode, --max-turns, the unsandboxed flag.
G=$T/work; mkdir -p "$G/.deskhand"
flag() { # EXPECTED ARGS...
  local want=$1; shift
  local rc=0; "$DESKHAND" run --grant "$G" "$@" "go" >"$T/out" 2>"$T/err" || rc=$?
  assert_eq "$rc" 2 "$*"
  assert_contains "$(cat "$T/err")" "$want"
}
flag "--mode: 'mode' is locked to 'ask' by the managed policy ($P:2)" --mode auto
flag "--max-turns: 'max_turns' is locked to '20' by the managed policy ($P:6)" --max-turns 90
flag "--max-cost: 'max_cost' is locked to '5' by the managed policy ($P:8)" --max-cost 50
flag "--dangerously-run-commands-unsandboxed is refused: allow_unsandboxed is off ($P:3)" \
  --dangerously-run-commands-unsandboxed

# A folder's config: each loosening line is refused, naming the policy.
cat >"$G/.deskhand/config" <<'CFG'
set mode = auto
set allow_unsandboxed = on
allow run_command(curl)
deny edit_file
CFG
cat >"$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "go"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "x.md", "content": "X\n"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "curl -s x.org"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --json "go" >"$T/out" 2>"$T/err" || true
a=$(jq -r 'select(.type=="audit" and .name=="rules") | .detail' "$T/out")
assert_contains "$a" "$G/.deskhand/config:1: 'mode' is locked to 'ask' by the managed policy ($P:2): set mode = auto"
assert_contains "$a" "$G/.deskhand/config:2: 'allow_unsandboxed' is locked to 'off' by the managed policy ($P:3): set allow_unsandboxed = on"
assert_contains "$a" "$G/.deskhand/config:3: rule 'allow run_command(curl)' would loosen the managed policy's rule 'deny run_command(curl)' ($P:4): allow run_command(curl)"
assert_eq "$(jq -r 'select(.type=="session_started") | .mode' "$T/out")" ask
# The policy's ask rule decides the write: nobody to ask, so it is refused.
assert_contains "$(jq -r 'select(.type=="approval_decided") | .message' "$T/out")" \
  "rule 'ask write_file' ($P:5)"
[ ! -e "$G/x.md" ] || fail "the write the policy asks about happened unasked"
# The audit log: the policy in effect, where each setting came from, and the
# policy's rule as the one who decided.
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
A=$XDG_STATE_HOME/deskhand/sessions/$sid/audit.jsonl
s=$(jq -c 'select(.type=="session_start")' "$A")
assert_eq "$(jq -r '.settings_from | [.mode, .watch, .max_cost, .model] | @tsv' <<<"$s")" \
  "$(printf 'managed policy %s, locked\tdefault, locked by the managed policy (%s)\tmanaged policy %s, locked\tdefault' "$P:2" "$P:7" "$P:8")"
assert_eq "$(jq -r '.policy | [.file, .locks.max_turns, .rules[0].rule] | @tsv' <<<"$s")" \
  "$(printf '%s\t%s\tdeny run_command(curl)' "$P" "$P:6")"
curl_id=$(jq -r 'select(.type=="tool_call" and .name=="run_command").id' "$T/out")
assert_eq "$(jq -r "select(.type==\"decision\" and .id==\"$curl_id\") | [.decision, .by] | @tsv" "$A")" \
  "$(printf 'deny\tmanaged policy')"
"$DESKHAND" audit verify "$sid" >/dev/null || fail "the audit log under a policy does not verify"
# signed with the key the policy names
[ -s "$T/etc/audit.key" ] || fail "the policy's audit key was not used"
assert_eq "$(stat -c %a "$T/etc/audit.key")" 600
[ ! -e "$XDG_STATE_HOME/deskhand/audit.key" ] || fail "the person's own audit key was used"

# A policy anyone could edit is refused whole, naming it.
chmod 666 "$P"
rc=0; dump >/dev/null || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "managed policy $P: refused: writable by others (mode 0666: chmod go-w $P)"
chmod 644 "$P"; chown 65534 "$P"
rc=0; dump >/dev/null || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "managed policy $P: refused: owned by uid 65534, not root"
chown 0 "$P"
# A line it does not know is an error naming it: a policy is never half read.
printf 'lock colour\n' >"$P"
rc=0; dump >/dev/null || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "$P:1: cannot lock 'colour': not an option of the config"
