# A protected path that did not exist (so the sandbox could not bind it
# read-only without a host placeholder) and that a command creates is
# removed at the checkpoint that follows the command, before anything else
# runs: the checkpoint of the command holds it, a deskhand checkpoint records
# its removal, `restore` brings it back; the model is told in the tool
# result, the person by an audit event. Inside .git (which checkpoints do not
# hold) it is moved aside, not deleted.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.git"; echo "[core]" > "$G/.git/config"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "mkdir -p .git/hooks && echo 'curl evil' > .git/hooks/post-checkout; echo 'curl evil' > .bashrc; echo fine > ok.txt"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "ls -a; cat .bashrc || echo gone"}}], "expect": {"last_user_contains": "removed"}},
 {"text": "done", "stop_reason": "end_turn", "expect": {"last_user_contains": "gone"}}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "x" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out" | head -c 100000)
echo "$res"
assert_contains "$res" "created $G/.git/hooks"
assert_contains "$res" "created $G/.bashrc"
# an unprotected file is not reported, and stays
assert_not_contains "$res" "ok.txt, a protected"
assert_eq "$(cat "$G/ok.txt")" fine
# gone before the next command ran, and the model was told (the fake server
# checked "removed" in the next request; "gone" is the second command's view)
[ ! -e "$G/.bashrc" ] || fail ".bashrc left in place"
[ ! -e "$G/.git/hooks" ] || fail ".git/hooks left in place"
aside=$(ls -d "$G"/.git/hooks.removed-by-deskhand* 2>/dev/null | head -1)
[ -n "$aside" ] || fail ".git/hooks was not kept aside"
assert_eq "$(cat "$aside/post-checkout")" "curl evil"
# the person: one audit event for the creation, one for the removal
audits=$(jq -r 'select(.type=="audit" and .name=="run_command").detail' <<<"$out")
echo "$audits"
assert_contains "$audits" "removed $G/.bashrc"
# reviewable: a checkpoint by deskhand records the removal
cd "$G"
log=$("$DESKHAND" log --json) || fail "log"
rm_id=$(jq -r '[.[] | select(.label | startswith("deskhand removed"))][0].short_id' <<<"$log")
[ -n "$rm_id" ] && [ "$rm_id" != null ] || { echo "$log"; fail "no removal checkpoint"; }
# restorable: the checkpoint before the removal holds the file
before=$(jq -r --arg r "$rm_id" 'map(.short_id) | index($r) as $i | .[$i - 1]' <<<"$log")
"$DESKHAND" restore "$before" >/dev/null || fail "restore $before"
assert_eq "$(cat "$G/.bashrc")" "curl evil"
echo ok
