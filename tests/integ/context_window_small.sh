# A local model served with an 8192-token window (`set context_window =
# 8192`) and the default max_tokens of 8192: every request asked for the
# whole window as output besides its input, and the server refused each one
# ("maximum context length is 8192 tokens"), so the model could not be used
# at all. A max_tokens past half the window is cut to a quarter of it, and
# the session runs with every request inside the window.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo "hello" > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"window": 8192, "turns": [
 {"text": "Reading.", "tool_calls": [{"name": "read_file", "input": {"path": "a.txt"}}]},
 {"text": "It says hello."}
]}
JSON
# run_window W: a fake server whose window is W tokens, the config saying
# context_window = W, and one session reading a.txt: its events in $out.
run_window() {
  if [ -n "${FAKE_PID:-}" ]; then
    kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=; rm -f "$FAKE_LOG"
  fi
  sed "s/\"window\": 8192/\"window\": $1/" "$T/script.json" > "$T/script-$1.json"
  start_fake_openai "$T/script-$1.json"
  cat > "$DH_CONFIG" <<CFG
provider local kind = openai
provider local base_url = $FAKE_URL/v1
provider local key_env =
set model = local/small-model
set context_window = $1
CFG
  out=$("$DESKHAND" run --grant "$G" --mode auto --json "read a.txt" 2>"$T/err") ||
    { cat "$T/err"; jq -c 'select(.type=="error")' <<<"$out" >&2; fail "run failed ($1)"; }
}
run_window 8192
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(jq -s '[.[] | select(.method=="POST")] | length' "$FAKE_LOG")" 2 "requests"
assert_eq "$(jq -s -c '[.[] | select(.method=="POST") | .body.max_tokens] | unique' \
  "$FAKE_LOG")" "[2048]" "max_tokens"
max=$(jq -s '[.[] | select(.method=="POST") | .tokens + .body.max_tokens] | max' "$FAKE_LOG")
[ "$max" -le 8192 ] || fail "a request of $max tokens with its max_tokens"

# A window that leaves room (32768): max_tokens as configured.
run_window 32768
assert_eq "$(jq -s -c '[.[] | select(.method=="POST") | .body.max_tokens] | unique' \
  "$FAKE_LOG")" "[8192]" "max_tokens (32768)"
echo ok
