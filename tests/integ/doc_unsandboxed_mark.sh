# write_document without the sandbox (--dangerously-run-commands-unsandboxed)
# says so as run_command does: the [UNSANDBOXED: ...] line is the result's
# first line, on its own, not part of what pandoc said (before, it was
# printed after "pandoc said:" as pandoc's first line). Whether pandoc
# writes the file (saying something, or nothing) or fails.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/pandoc" <<'SH'
#!/bin/sh
out=
while [ $# -gt 0 ]; do case $1 in --output) out=$2; shift;; esac; shift; done
case $out in
*quiet*) cat > "$out" ;;
*fails*) echo 'pandoc: no such writer' >&2; exit 3 ;;
*) echo 'a warning from pandoc' >&2; cat > "$out" ;;
esac
SH
chmod +x "$T/pandoc"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "write_document", "input": {"path": "said.html", "markdown": "# Hi\n"}}]},
 {"tool_calls": [{"name": "write_document", "input": {"path": "quiet.html", "markdown": "# Hi\n"}}]},
 {"tool_calls": [{"name": "write_document", "input": {"path": "fails.html", "markdown": "# Hi\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
DH_PANDOC=$T/pandoc "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" > "$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
mark='[UNSANDBOXED: this command ran WITHOUT any sandbox, as the person chose with --dangerously-run-commands-unsandboxed]'
res() { jq -r --arg p "$1" 'select(.type=="tool_call" and .name=="write_document" and .input.path==$p).id' "$T/out" |
  { read -r id; jq -r --arg id "$id" 'select(.type=="tool_result" and .id==$id).output' "$T/out"; }; }
for p in said quiet fails; do
  r=$(res $p.html); echo "--- $p"; echo "$r"
  assert_eq "$(head -1 <<<"$r")" "$mark" "$p: the first line"
  assert_eq "$(grep -cF '[UNSANDBOXED' <<<"$r")" 1 "$p: the mark once"
done
r=$(res said.html)
assert_eq "$(sed -n 2p <<<"$r")" "created said.html (5 bytes) with pandoc; pandoc said:"
assert_eq "$(sed -n 3p <<<"$r")" "a warning from pandoc"
r=$(res quiet.html)
assert_eq "$(sed -n 2,\$p <<<"$r")" "created quiet.html (5 bytes) with pandoc"
r=$(res fails.html)
assert_eq "$(sed -n 2p <<<"$r")" "write_document: pandoc could not write fails.html (exit status 3):"
assert_eq "$(sed -n 3p <<<"$r")" "pandoc: no such writer"
echo ok
