# A value or a key of the config that holds an escape sequence or a byte
# that is not UTF-8 is quoted in the error made printable (ESC as "^[", a
# bad byte as "\xff"), as names are: before, the config file's words, a
# flag's value and an environment variable's value were printed raw, and an
# ESC [31m in them turned the terminal red.
. "$DH_TESTS/lib.sh"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "$(dirname "$cfg")"
G=$T/work; mkdir -p "$G"
E=$(printf '\033[31m')
# no ESC and no byte 0xff reached the terminal
raw_free() { # FILE WHAT
  ! grep -q "$(printf '\033')" "$1" || fail "$2: a raw ESC: $(cat -v "$1")"
  ! LC_ALL=C grep -q "$(printf '\377')" "$1" || fail "$2: a raw byte 0xff: $(cat -v "$1")"
}
# LINE COMMAND MESSAGE: the config holding LINE, COMMAND fails saying MESSAGE
check() {
  printf '%s\n' "$1" >"$cfg"
  rc=0; ANTHROPIC_API_KEY=x DH_NO_DISPLAY=1 "$DESKHAND" $2 >"$T/out" 2>"$T/err" </dev/null || rc=$?
  [ "$rc" != 0 ] || fail "'$2' over '$(cat -v "$cfg")' did not fail"
  raw_free "$T/err" "'$2' over '$(cat -v "$cfg")'"
  assert_contains "$(cat "$T/err")" "$3"
}
check "set mode = ${E}red" config "'mode' must be one of ask|auto, not '^[[31mred'"
check "set ${E}x = 1" config "unknown option '^[[31mx'"
check "set max_turns = ${E}" config "not '^[[31m'"
check "provider p ${E}k = 1" config "unknown key '^[[31mk'"
check "provider p kind = ${E}" config "kind must be one of anthropic|openai|azure, not '^[[31m'"
check "allow egress ${E}.example" config "'^[[31m.example'"
check "${E}foo bar" config "unknown command '^[[31mfoo'"
check "set provider = ${E}x" "run --grant $G hi" "unknown provider '^[[31mx'"
check "set model = ${E}x/y" "run --grant $G hi" "model '^[[31mx/y': no provider '^[[31mx'"
check "set theme = ${E}x" "" "set theme = ^[[31mx: bad theme name '^[[31mx'"
check "bind global ${E} quit" "" "bind: unknown key '^[[31m'"
# a byte 0xff in the value and in the key: the line is refused as a whole
check "set mode = ${E}$(printf '\377')" config "config:1: not valid UTF-8"
check "set ${E}$(printf '\377') = ask" config "config:1: not valid UTF-8"
: >"$cfg"

# a flag's value and an environment variable's, which may hold any byte
X="${E}$(printf '\377')"
rc=0; "$DESKHAND" run --mode "$X" --grant "$G" hi >"$T/out" 2>"$T/err" </dev/null || rc=$?
assert_eq "$rc" 2 "run --mode ESC 0xff"
raw_free "$T/err" "run --mode"
assert_contains "$(cat "$T/err")" "--mode: 'mode' must be one of ask|auto, not '^[[31m\\xff'"
rc=0; "$DESKHAND" run --model "$X/m" --grant "$G" hi >"$T/out" 2>"$T/err" </dev/null || rc=$?
raw_free "$T/err" "run --model"
assert_contains "$(cat "$T/err")" "model '^[[31m\\xff/m': no provider '^[[31m\\xff'"
rc=0; OTEL_EXPORTER_OTLP_PROTOCOL="$X" "$DESKHAND" config >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "config with OTEL_EXPORTER_OTLP_PROTOCOL=ESC 0xff"
raw_free "$T/err" "OTEL_EXPORTER_OTLP_PROTOCOL"
assert_contains "$(cat "$T/err")" "OTEL_EXPORTER_OTLP_PROTOCOL: 'otel_protocol' must be one of http/protobuf|http/json, not '^[[31m\\xff'"

# a folder's config: its words are someone else's
mkdir -p "$G/.deskhand"; printf 'set mode = %s\n' "$E" >"$G/.deskhand/config"
"$DESKHAND" rules --grant "$G" >"$T/out" 2>"$T/err" || true
raw_free "$T/err" "rules over a folder's config"
assert_contains "$(cat "$T/err")" "set mode = ^[[31m"
printf 'deny %sx(\n' "$E" >"$G/.deskhand/config"
rc=0; "$DESKHAND" rules --grant "$G" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "rules over a folder's bad rule"
raw_free "$T/err" "rules over a folder's bad rule"
echo ok
