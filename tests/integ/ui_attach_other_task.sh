# Two workbenches on one session: a follow-up task typed in one shows in the
# other too, as the user's line (its text, not just "session ID"), and the
# other's status line no longer offers "type a follow-up task" from the task
# before while this one runs; the replay of the history shows it once.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "First answer.", "stop_reason": "end_turn"},
 {"text": "Second answer arrives slowly.", "stop_reason": "end_turn", "text_pause_ms": 4000}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --detach --grant "$G" --json "the first task" </dev/null 2>"$T/run.err") ||
  { cat "$T/run.err"; fail "run --detach failed"; }
id=$(jq -r .session <<<"$out")
"$DESKHAND" wait "$id" || fail "the first task did not end done"
UI_T=one ui_start 110 30 attach "$id"
UI_T=one ui_wait "First answer." 15
UI_T=two ui_start 110 30 attach "$id"
UI_T=two ui_wait "First answer." 15
UI_T=one ui_type "the follow-up from one"; UI_T=one ui_keys Enter
UI_T=one ui_wait "Second" 15
UI_T=two ui_wait "the follow-up from one" 10
s=$(UI_T=two ui_screen); echo "$s"
assert_contains "$s" "❯ the follow-up from one"
assert_not_contains "$s" "task done. i: type a follow-up task"
UI_T=one ui_wait "task done" 15
UI_T=two ui_wait "task done" 15
for n in one two; do
  c=$(UI_T=$n ui_screen | grep -cF "the follow-up from one")
  assert_eq "$c" 1 "the follow-up's lines on the screen of $n"
done
echo ok
