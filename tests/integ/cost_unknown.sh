# A model the registry has no price for: the run's summary said "cost
# $0.0000" and a cost cap on it never stopped anything, silently. The
# summary now says the cost is not known, and a run under a cost cap is
# warned that the cap cannot hold. A model whose name only begins with a
# known family's (gpt-5-pro after gpt-5) is such a model, not the family.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "ok", "usage": {"prompt_tokens": 2000, "completion_tokens": 50}},
           {"text": "ok", "usage": {"prompt_tokens": 2000, "completion_tokens": 50}}]}
JSON
start_fake_openai "$T/script.json"
printf 'set model = openai/my-local-model\n' >> "$DH_CONFIG"
"$DESKHAND" run --grant "$G" --mode auto --max-cost 0.01 "hi" > "$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
assert_contains "$(cat "$T/out")" "tokens: 2000 in, 50 out, 0 cache read, 0 cache write · cost not known (openai/my-local-model has no price in 'deskhand models')"
assert_not_contains "$(cat "$T/out")" '$0.0000'
assert_contains "$(cat "$T/err")" "warning: the cost caps cannot stop this run: openai/my-local-model has no price in the model registry"
assert_eq "$("$DESKHAND" models --json --model openai/gpt-5-pro | jq -c .in_use.registry)" null \
  "the registry row of gpt-5-pro"
# Without a cap, no warning.
"$DESKHAND" run --grant "$G" --mode auto "hi" > "$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
assert_not_contains "$(cat "$T/err")" "warning: the cost caps"
echo ok
