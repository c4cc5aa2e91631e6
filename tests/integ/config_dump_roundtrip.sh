# --dump-config reads back to the same configuration: a value holding
# double quotes, a '#' after a blank, blanks at its ends or backslashes is
# written so that reading the dump gives that value again (and a dump of
# the dump is the dump).
. "$DH_TESTS/lib.sh"
cfg=$T/n.conf
cat >"$cfg" <<'CFG'
set notify_command = notify-send "build # done"
set model = "claude #1"
set mode = auto # a comment
provider corp kind = openai
provider corp base_url = https://llm.example.com/v1
provider corp key_env = CORP_KEY
provider corp header = X-Note: "a # b"
CFG
DH_CONFIG=$cfg "$DESKHAND" --dump-config >"$T/d.conf" 2>"$T/err" || fail "dump: $(cat "$T/err")"
value() { DH_CONFIG=$1 "$DESKHAND" config --json "$2" | jq -r .value; }
assert_eq "$(value "$T/d.conf" notify_command)" 'notify-send "build # done"'
assert_eq "$(value "$T/d.conf" model)" 'claude #1'
assert_eq "$(value "$T/d.conf" mode)" auto
DH_CONFIG=$T/d.conf "$DESKHAND" --dump-config >"$T/d2.conf" 2>"$T/err" ||
  fail "dump of the dump: $(cat "$T/err")"
diff "$T/d.conf" "$T/d2.conf" >"$T/diff" || fail "the dump of the dump differs: $(cat "$T/diff")"
assert_contains "$(cat "$T/d2.conf")" 'provider corp header = X-Note: "a # b"'
# Blanks at the ends, quotes at the ends, a backslash.
printf '%s\n' 'set notify_command = "  \x "q"  "' >"$cfg"
want=$(value "$cfg" notify_command)
assert_eq "$want" '  \x "q"  '
DH_CONFIG=$cfg "$DESKHAND" --dump-config >"$T/d.conf"
assert_eq "$(value "$T/d.conf" notify_command)" "$want"
printf 'set notify_command = ""a""\n' >"$cfg"
DH_CONFIG=$cfg "$DESKHAND" --dump-config >"$T/d.conf"
assert_eq "$(value "$T/d.conf" notify_command)" '"a"'
echo ok
