# write_document runs pandoc as run_command runs a command: without the
# sandbox the protected files are kept on disk, under the write_document
# call's id, before pandoc runs. An engine killed (SIGKILL) while a pandoc
# (a wrapper standing in for it, DH_PANDOC) that rewrote .bashrc ran: the
# recovery of --resume puts .bashrc back and tells the model, naming the
# call.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo 'alias ll="ls -l"' > "$G/.bashrc"; chmod 600 "$G/.bashrc"
cat > "$T/pandoc" <<'SH'
#!/bin/sh
echo 'echo pwned' >> .bashrc
touch ready
exec sleep 5
SH
chmod +x "$T/pandoc"
# the person's files are older than the baseline (a second: commit times)
sleep 1.1
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "write_document", "id": "toolu_doc", "input": {"path": "out.html", "markdown": "# Hi\n"}}]},
 {"text": "Resumed and done.", "stop_reason": "end_turn",
  "expect": {"last_user_contains": "put back .bashrc as the person had it, a protected path the interrupted call toolu_doc changed"}}
]}
JSON
start_fake "$T/script.json"
DH_PANDOC=$T/pandoc "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed x > "$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 1 400); do [ -e "$G/ready" ] && break; sleep 0.05; done
[ -e "$G/ready" ] || { kill -9 $pid; cat "$T/err"; fail "pandoc never started"; }
kill -9 $pid; wait $pid 2>/dev/null || true
rm -f "$G/ready"
# kept under the call's id
f=$(find "$T" -name protected-copies)
[ -n "$f" ] || fail "no copies kept on disk"
assert_eq "$(head -n 1 "$f")" "deskhand protected copies 1 toolu_doc"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
"$DESKHAND" run --resume "$sid" --mode auto "go on" > "$T/resumed" 2>"$T/err2" ||
  { cat "$T/resumed" "$T/err2"; fail "resume failed (the model was not told?)"; }
assert_contains "$(cat "$T/resumed")" "Resumed and done."
assert_eq "$(cat "$G/.bashrc")" 'alias ll="ls -l"'
assert_eq "$(stat -c %a "$G/.bashrc")" 600
assert_contains "$(tail -n 1 "$FAKE_LOG")" "put back .bashrc as the person had it, a protected path the interrupted call toolu_doc changed"
echo ok
