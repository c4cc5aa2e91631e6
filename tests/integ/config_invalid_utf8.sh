# A config line that is not valid UTF-8 (a value typed in Latin-1) is an
# error naming the file and its line, in the person's config and a folder's
# .deskhand/config: the value was taken and sent to the model server with
# U+FFFD in place of the byte, not as written.
. "$DH_TESTS/lib.sh"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "$(dirname "$cfg")"
G=$T/work; mkdir -p "$G/.deskhand"
printf 'set mode = ask\nset model = cl\377aude\n' >"$cfg"
want="$cfg:2: not valid UTF-8: the file must be UTF-8 text"
rc=0; "$DESKHAND" config model >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "config over a config line that is not UTF-8"
assert_contains "$(cat "$T/err")" "$want"
assert_eq "$(cat "$T/out")" "" "what config printed"
rc=0; "$DESKHAND" --dump-config >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "--dump-config over a config line that is not UTF-8"
assert_contains "$(cat "$T/err")" "$want"

# A run stops before any request is sent.
cat >"$T/script.json" <<'JSON'
{"turns": [{"text": "done", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
rc=0; "$DESKHAND" run --grant "$G" "go" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "a run over a config line that is not UTF-8"
assert_contains "$(cat "$T/out" "$T/err")" "$want"
[ ! -s "$FAKE_LOG" ] || fail "a request was sent: $(head -c 500 "$FAKE_LOG")"

# A folder's config too; valid UTF-8 ("café") is taken as written.
printf 'set model = "caf\303\251"\n' >"$cfg"
"$DESKHAND" config model >"$T/out" 2>"$T/err" || fail "config over UTF-8: $(cat "$T/err")"
assert_contains "$(cat "$T/out")" "set model = café"
printf 'deny write_file(*.\351nv)\n' >"$G/.deskhand/config"
rc=0; "$DESKHAND" rules --grant "$G" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "rules over a folder config line that is not UTF-8"
assert_contains "$(cat "$T/err")" "$G/.deskhand/config:1: not valid UTF-8"
echo ok
