# `set context_window = N` is a whole number of tokens from 0 to 10000000: a
# bad value names FILE:LINE and the value; --dump-config prints it and reads
# back the same; `deskhand models` shows the window in use and where it comes
# from (the config, the registry, or the default for a model it lacks).
. "$DH_TESTS/lib.sh"
cfg=$T/config
dump() { DH_CONFIG=$cfg "$DESKHAND" --dump-config; }

for bad in -1 32k 1e5 0x8000 10000001 "32768 tokens" ""; do
  printf 'set mode = ask\nset context_window = %s\n' "$bad" >"$cfg"
  rc=0; dump >/dev/null 2>"$T/err" || rc=$?
  assert_eq "$rc" 1 "context_window = '$bad'"
  assert_contains "$(cat "$T/err")" \
    "$cfg:2: 'context_window' must be a whole number from 0 to 10000000, not '$bad'"
done

cat >"$cfg" <<'CFG'
provider local kind = openai
provider local base_url = http://127.0.0.1:9/v1
provider local key_env =
set model = local/qwen-local
set context_window = 32768
CFG
dump >"$T/d.conf" 2>"$T/err" || fail "dump: $(cat "$T/err")"
assert_eq "$(grep '^set context_window' "$T/d.conf")" "set context_window = 32768"
DH_CONFIG=$T/d.conf "$DESKHAND" --dump-config >"$T/d2.conf" 2>"$T/err" ||
  fail "the dump does not read back: $(cat "$T/err")"
assert_eq "$(cat "$T/d2.conf")" "$(cat "$T/d.conf")" "the dump read back"

out=$(DH_CONFIG=$cfg "$DESKHAND" models --json) || fail "models --json failed"
assert_eq "$(jq -c '.in_use | [.model, .context_window, .context_window_from]' <<<"$out")" \
  '["qwen-local",32768,"config"]'
human=$(DH_CONFIG=$cfg "$DESKHAND" models) || fail "models failed"
assert_contains "$human" "context window: 32768 tokens (context_window, $cfg:5)"
# the setting overrides the registry's window too
out=$(DH_CONFIG=$cfg "$DESKHAND" models --json --model anthropic/claude-sonnet-4-5)
assert_eq "$(jq -c '.in_use | [.context_window, .context_window_from]' <<<"$out")" \
  '[32768,"config"]'
# 0, the default: the registry's, else 200000
sed -i 's/^set context_window = .*/set context_window = 0/' "$cfg"
out=$(DH_CONFIG=$cfg "$DESKHAND" models --json)
assert_eq "$(jq -c '.in_use | [.context_window, .context_window_from]' <<<"$out")" \
  '[200000,"default"]'
assert_contains "$(DH_CONFIG=$cfg "$DESKHAND" models)" \
  "context window: 200000 tokens (not in the registry: set context_window)"
out=$(DH_CONFIG=$cfg "$DESKHAND" models --json --model openai/gpt-4.1)
assert_eq "$(jq -c '.in_use | [.context_window, .context_window_from]' <<<"$out")" \
  "[$(jq '.models[] | select(.name=="gpt-4.1") | .context_window' <<<"$out"),\"registry\"]"
echo ok
