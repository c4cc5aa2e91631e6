# A NUL byte in a config file is an error naming the file and its line, in
# the person's config, a folder's .deskhand/config and the managed policy:
# the lines after it (a deny rule, a lock) are never dropped without a word.
. "$DH_TESTS/lib.sh"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "$(dirname "$cfg")"
G=$T/work; mkdir -p "$G/.deskhand"
printf '# notes\0 pasted\ndeny write_file(*.env)\nset max_turns = 7\n' >"$cfg"
want="$cfg:1: a NUL byte: the file must be text (what follows it would not be read)"
rc=0; "$DESKHAND" rules --grant "$G" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "rules over a config holding a NUL byte"
assert_contains "$(cat "$T/err")" "$want"
assert_not_contains "$(cat "$T/out")" "checked in this order"
rc=0; "$DESKHAND" config max_turns >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "config over a config holding a NUL byte"
assert_contains "$(cat "$T/err")" "$want"
rc=0; "$DESKHAND" --dump-config >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "--dump-config over a config holding a NUL byte"
assert_contains "$(cat "$T/err")" "$want"

# A NUL on a later line is named by that line.
printf 'set mode = ask\nset max_turns = 7\0\n' >"$cfg"
rc=0; "$DESKHAND" config >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "$cfg:2: a NUL byte"

# A folder's rules: the session does not start, and no request is sent.
rm "$cfg"
printf 'ask read_file\0\ndeny write_file(*.env)\n' >"$G/.deskhand/config"
rc=0; "$DESKHAND" rules --grant "$G" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "rules over a folder config holding a NUL byte"
assert_contains "$(cat "$T/err")" "$G/.deskhand/config:1: a NUL byte"
cat >"$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "go"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "app.env", "content": "K=1\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
rc=0; "$DESKHAND" run --grant "$G" --approve-plan --mode auto "go" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "a run over a folder config holding a NUL byte"
assert_contains "$(cat "$T/out" "$T/err")" "$G/.deskhand/config:1: a NUL byte"
[ ! -e "$G/app.env" ] || fail "the write the folder's deny rule names happened"

# The managed policy is never half read either.
if [ "$(id -u)" = 0 ] && [ ! -e /etc/deskhand/policy ]; then
  rm "$G/.deskhand/config"
  P=$T/policy; printf 'set mode = ask\0\nlock max_turns\n' >"$P"; chmod 644 "$P"
  rc=0; DH_POLICY_FILE=$P "$DESKHAND" config >/dev/null 2>"$T/err" || rc=$?
  assert_eq "$rc" 1 "config under a policy holding a NUL byte"
  assert_contains "$(cat "$T/err")" "$P:1: a NUL byte"
fi
