#!/usr/bin/env bash
# `deskhand run --help` names the key variable of every built-in provider,
# as `deskhand models` lists them (the same table), not ANTHROPIC_API_KEY
# alone: someone running --model openai/gpt-4o learns OPENAI_API_KEY there.
. "$DH_TESTS/lib.sh"
help=$("$DESKHAND" run --help)
n=0
while IFS=$'\t' read -r name key; do
  grep -qE "^  $name +${key:-none}\$" <<<"$help" ||
    fail "run --help has no line for provider $name (${key:-none}): $help"
  n=$((n + 1))
done < <("$DESKHAND" models --json |
  jq -r '.providers[] | select(.where=="built-in") | [.name, .key_env] | @tsv')
[ "$n" -ge 3 ] || fail "models --json listed $n built-in providers"
assert_contains "$help" "OPENAI_API_KEY"
assert_contains "$help" "OPENROUTER_API_KEY"
assert_contains "$help" "key_env = VAR"
# A usage error prints the same help, whole.
rc=0; "$DESKHAND" run >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "exit status of run with no TASK"
assert_contains "$(cat "$T/err")" "OPENROUTER_API_KEY"
assert_contains "$(cat "$T/err")" "Exit status: 0 done"
echo ok
