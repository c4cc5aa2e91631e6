# write_document over an existing file says it overwrote it, as write_file
# does, and a new file that it was created: the model and the transcript can
# tell a replaced document from a new one.
. "$DH_TESTS/lib.sh"
bwrap_or_skip
command -v pandoc >/dev/null || skip "pandoc not installed (apt-get install --no-install-recommends pandoc)"
G=$T/work; mkdir -p "$G/out"
printf 'the old page\n' > "$G/out/old.html"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write the pages"}]}}]},
 {"tool_calls": [
   {"name": "write_document", "input": {"path": "out/new.html", "markdown": "# New"}},
   {"name": "write_document", "input": {"path": "out/old.html", "markdown": "# Replaced"}}
 ]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write them" > "$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
outs=$(jq -r 'select(.type=="tool_result" and .name=="write_document") | .output | gsub("\n"; " ")' "$T/out")
new=$(sed -n 1p <<<"$outs"); old=$(sed -n 2p <<<"$outs")
assert_contains "$new" "created out/new.html ("
assert_contains "$new" " bytes) with pandoc"
assert_contains "$old" "overwrote out/old.html ("
assert_contains "$old" " bytes) with pandoc"
assert_contains "$(cat "$G/out/old.html")" "Replaced</h1>"
echo ok
