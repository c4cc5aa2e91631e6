# web_fetch of a URL with an internationalized host name (http://bücher.example/)
# was refused as "not a host name: 'bücher.example'", whatever the allowlist
# said, while a sandboxed command's curl reaches the same URL through the
# proxy under the rule that names it as DNS does (xn--bcher-kva.example).
# The host is now checked in that ASCII form: the rule matches (here the
# name then does not resolve), another name is not on the list; a rule
# written with the Unicode name says which form it needs.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
echo 'allow egress xn--bcher-kva.example' >> "$T/config"
web_fetch_calls <<JSON
   {"name": "web_fetch", "input": {"url": "http://bücher.example/a"}},
   {"name": "web_fetch", "input": {"url": "http://BÜCHER.example/b"}},
   {"name": "web_fetch", "input": {"url": "http://zeitung.bücher.example/c"}}
JSON
egress() { jq -rs --argjson n "$1" '[.[] | select(.type=="egress")][$n] | "\(.host) \(.reason)"' <<<"$out"; }
assert_contains "$(web_res 0)" "true web_fetch: http://bücher.example/a refused: xn--bcher-kva.example does not resolve"
assert_contains "$(egress 0)" "xn--bcher-kva.example xn--bcher-kva.example does not resolve"
assert_contains "$(web_res 1)" "refused: xn--bcher-kva.example does not resolve" "an upper-case name"
assert_eq "$(web_res 2)" "true web_fetch: http://zeitung.bücher.example/c refused: not on the egress allowlist"
assert_eq "$(egress 2)" "zeitung.xn--bcher-kva.example not on the egress allowlist"
# a rule written in the other script says which form it needs
printf 'allow egress bücher.example\n' > "$T/bad"
rc=0; DH_CONFIG=$T/bad "$DESKHAND" run --grant "$G" "x" >/dev/null 2>"$T/e" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/e")" "$T/bad:1: allow egress: 'bücher.example': not a host name: 'bücher.example' (a name in another script is written as DNS has it: xn--…)"
echo ok
