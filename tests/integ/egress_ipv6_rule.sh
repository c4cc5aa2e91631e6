# An allowed IPv6 literal's egress event named its rule without brackets,
# "allowlisted (::1:1)", which reads as the address ::1:1 with no port.
# The rule is shown as written now: "allowlisted ([::1]:1)", "([::2]:*)".
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
printf 'allow egress [::1]:1 allow-private\nallow egress [::2]:* allow-private\n' >> "$T/config"
web_fetch_calls <<JSON
   {"name": "web_fetch", "input": {"url": "http://[::1]:1/"}},
   {"name": "web_fetch", "input": {"url": "http://[::2]:9/"}}
JSON
reason() { jq -rs --argjson n "$1" '[.[] | select(.type=="egress")][$n] | "\(.host) \(.allowed) \(.reason)"' <<<"$out"; }
assert_eq "$(reason 0)" "::1 true allowlisted ([::1]:1)"
assert_eq "$(reason 1)" "::2 true allowlisted ([::2]:*)"
echo ok
