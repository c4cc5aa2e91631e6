# The cost line of `deskhand run` on a resumed session whose earlier request
# had no price says the cost is not known: it said "cost $-1.0000" (the
# session's "not known" read as a number) when this run's own requests
# were priced or there were none.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "one", "stop_reason": "end_turn"},
 {"text": "two", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --model claude-unpriced-x "hi" >"$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
assert_contains "$(cat "$T/out")" "cost not known (claude-unpriced-x has no price"
"$DESKHAND" run --resume latest --model claude-sonnet-4-5 "again" >"$T/out2" 2>"$T/err" ||
  { cat "$T/err"; fail "resumed run failed"; }
assert_contains "$(cat "$T/out2")" "two"
assert_not_contains "$(cat "$T/out2")" '$-1'
assert_contains "$(cat "$T/out2")" "cost not known (an earlier request had no price"
echo ok
