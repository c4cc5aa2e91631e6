# The web_fetch tests' session, after lib.sh: web_setup starts the web test
# server (start_web; P its port, U its base URL) with a config that allows it
# (DH_CONFIG) and a granted folder G. web_fetch_calls runs a session whose
# model makes the tool calls read from stdin (a JSON array's items) in one
# turn, then ends; its --json output is in $out. web_res N is the Nth web_fetch
# result (from 0) as "IS_ERROR OUTPUT".
web_setup() {
  G=$T/work; mkdir -p "$G"
  start_web
  P=$WEB_PORT
  U=http://127.0.0.1:$P
  printf 'allow egress 127.0.0.1:%s allow-private\n' "$P" > "$T/config"
  export DH_CONFIG=$T/config
}

web_fetch_calls() {
  printf '{"turns": [{"tool_calls": [%s]}, {"text": "ok", "stop_reason": "end_turn"}]}\n' \
    "$(cat)" > "$T/script.json"
  start_fake "$T/script.json"
  out=$("$DESKHAND" run --grant "$G" --mode auto --json "fetch" 2>"$T/err") \
    || { cat "$T/err"; fail "run failed"; }
}

web_res() {
  jq -rs --argjson n "$1" '[.[] | select(.type=="tool_result" and .name=="web_fetch")][$n]
    | "\(.is_error) \(.output)"' <<<"$out"
}
