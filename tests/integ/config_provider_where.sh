# A `set provider` naming no provider, and a `set model` naming none after
# its provider, are errors naming the line that set them (as every bad
# value is), in `models` and in a run, which sends no request; a --model
# flag's is named as the flag.
. "$DH_TESTS/lib.sh"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "$(dirname "$cfg")"
G=$T/work; mkdir -p "$G"
echo '{"turns": [{"text": "done", "stop_reason": "end_turn"}]}' >"$T/script.json"
start_fake "$T/script.json"
refused() { # CONFIG EXPECTED [run flags...]
  printf '%b' "$1" >"$cfg"; local want=$2; shift 2
  local rc=0
  "$DESKHAND" models >/dev/null 2>"$T/err" || rc=$?
  assert_eq "$rc" 1 "models over: $(cat "$cfg")"
  assert_contains "$(cat "$T/err")" "$want"
  rc=0; "$DESKHAND" run --grant "$G" "$@" "hi" >"$T/out" 2>"$T/err" || rc=$?
  assert_eq "$rc" 1 "run over: $(cat "$cfg")"
  assert_contains "$(cat "$T/err")" "$want"
  [ ! -s "$FAKE_LOG" ] || fail "a request was sent"
}
refused 'set mode = ask\nset provider = nope\n' \
  "$cfg:2: unknown provider 'nope' (set provider; there are: anthropic, openai"
refused 'set mode = ask\nset model = \n' "$cfg:2: no model named after 'anthropic/'"
refused 'set model = openai/\n' "$cfg:1: no model named after 'openai/'"
rc=0; "$DESKHAND" run --grant "$G" --model ollama/ "hi" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "--model: no model named after 'ollama/'"
