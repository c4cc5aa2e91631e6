# An `allow egress` line is checked when the config is read, by the rule
# parser a session uses: `deskhand config`, --dump-config, `deskhand rules`
# and `deskhand run` all refuse a malformed one alike, naming FILE:LINE (not
# only a run, after the others passed it). A URL is named as one.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cfg=$T/e.conf
export DH_CONFIG=$cfg
check() { # SPEC MESSAGE
  printf 'set mode = ask\nallow egress %s\n' "$1" >"$cfg"
  local rc out
  for cmd in config --dump-config rules "run --grant $G hello"; do
    rc=0; out=$("$DESKHAND" $cmd </dev/null 2>&1 >/dev/null) || rc=$?
    assert_eq "$rc" 1 "$cmd with 'allow egress $1'"
    assert_contains "$out" "$cfg:2: allow egress: $2"
  done
}
check https://api.github.com "'https://api.github.com': expected HOST[:PORT], not a URL"
check "exa mple.com" "expected 'HOST[:PORT] [allow-private]', not 'exa mple.com'"
check example.com:99999 "'example.com:99999': the port must be 1-65535 or '*'"
check example.com:0 "'example.com:0': the port must be 1-65535 or '*'"
check ":443" "':443': not a host name: ''"
# doctor says the same of the config.
assert_contains "$("$DESKHAND" doctor 2>&1)" "$cfg:2: allow egress: ':443': not a host name"
# Good lines still load, and read back as written.
printf 'allow egress api.github.com  # web ports\nallow egress *.example.org:* allow-private\n' >"$cfg"
"$DESKHAND" config >/dev/null 2>"$T/err" || fail "good egress lines refused: $(cat "$T/err")"
assert_eq "$("$DESKHAND" --dump-config | grep '^allow egress')" "allow egress api.github.com
allow egress *.example.org:* allow-private"
echo ok
