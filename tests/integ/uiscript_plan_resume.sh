# In process (issue 11, defect 8): a session whose engine died while its plan
# waited for approval (the plan is then only in the history, not in the
# session's meta) is resumed at 80x24: the plan pane is laid out for every
# step once the history ends, without a resize (it used to keep the one row
# it had before the history came).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
plan='{"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Step one"}, {"title": "Step two"}, {"title": "Step three"}]}}]}'
cat > "$T/script.json" <<JSON
{"turns": [$plan, $plan, {"text": "ok", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
steps ":wait approval
:type :detach
<Enter>"
ui_run 80 24 --grant "$G" "three steps"
# (a session's meta.json has no plan, or a null one, until a plan is approved)
meta=$(ls "$XDG_STATE_HOME"/deskhand/sessions/*/meta.json) || fail "no meta.json"
if grep -q '"plan":[[:space:]]*\[' $meta; then
  fail "the plan is in meta.json already: this test no longer covers the history-only case"
fi
pid=$(sed -n 's/.*engine pid \([0-9]*\) for session.*/\1/p' "$XDG_STATE_HOME"/deskhand/sessions/*/engine.log | head -1)
[ -n "$pid" ] || fail "no engine pid in engine.log"
kill -9 "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
steps ":wait text Step one
:wait idle
:save-screen $T/resumed.scr
:quit"
ui_run 80 24 --resume latest
assert_screen resumed '^ plan 0/3' '1\. Step one' '2\. Step two' '3\. Step three'
echo ok
