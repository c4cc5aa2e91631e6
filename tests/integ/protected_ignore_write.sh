# The folder's .deskhandignore decides what checkpoints record, so the
# agent's file tools refuse it like any protected path: writing one (there
# was none) would let the agent hide its later changes under the paths it
# names from review and undo. Refused at any depth and in any case, as the
# other protected paths; a file under the path it would have named is
# recorded and reviewable.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": ".deskhandignore", "content": "cache/\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "sub/.DeskhandIgnore", "content": "*\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "cache/x", "content": "y\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "x" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="write_file") | "\(.is_error) \(.output)"' <<<"$out")
echo "$res"
[ ! -e "$G/.deskhandignore" ] || fail "write_file made .deskhandignore: $(cat "$G/.deskhandignore")"
[ ! -e "$G/sub/.DeskhandIgnore" ] || fail "write_file made sub/.DeskhandIgnore"
assert_eq "$(sed -n 1p <<<"$res" | cut -d" " -f1)" true "the first write is an error"
assert_contains "$(sed -n 1p <<<"$res")" "is protected"
assert_contains "$(sed -n 1p <<<"$res")" "what checkpoints record"
assert_contains "$(sed -n 2p <<<"$res")" "is protected"
assert_eq "$(cat "$G/cache/x")" y
# the refusals are audited, as any protected path's
audits=$(jq -r 'select(.type=="audit" and .name=="write_file").detail' <<<"$out")
assert_contains "$audits" ".deskhandignore"
cd "$G"
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"
j=$("$DESKHAND" review --json) || fail "review"
assert_eq "$(jq -r '[.grants[0].files[].path] | sort | join(" ")' <<<"$j")" "cache/x"
echo ok
