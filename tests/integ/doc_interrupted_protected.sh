# write_document runs pandoc as run_command runs a command: an interrupt
# (SIGINT) while it runs kills it and still looks at what it did to the
# protected paths. Here, without the sandbox, a pandoc (a wrapper standing
# in for it, DH_PANDOC) that created .bashrc is interrupted: the call's
# result says it was interrupted and names the .bashrc, which is taken back
# after the call's checkpoint (which holds it); the session ends
# interrupted. Before, the interrupted call was cancelled with nothing
# looked at: the .bashrc stayed, and nothing was said.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/pandoc" <<'SH'
#!/bin/sh
echo 'echo pwned' > .bashrc
touch ready
exec sleep 30
SH
chmod +x "$T/pandoc"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "x"}]}}]},
 {"tool_calls": [{"name": "write_document", "input": {"path": "out.html", "markdown": "# Hi\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
DH_PANDOC=$T/pandoc "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
  --dangerously-run-commands-unsandboxed "x" > "$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 1 400); do [ -e "$G/ready" ] && break; sleep 0.05; done
[ -e "$G/ready" ] || { kill -9 $pid; cat "$T/err"; fail "pandoc never started"; }
sleep 0.2
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
[ "$rc" = 130 ] || { cat "$T/err"; fail "exit status $rc, expected 130"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="write_document").output' "$T/out")
echo "$res"
[ ! -e "$G/.bashrc" ] || fail ".bashrc left in place: $(cat "$G/.bashrc")"
assert_contains "$res" "write_document: pandoc could not write out.html (write_document was interrupted: the user interrupted the session)"
assert_contains "$res" "this command created $G/.bashrc, a protected path"
assert_contains "$(jq -r 'select(.type=="audit" and .name=="write_document").detail' "$T/out")" \
  "removed $G/.bashrc, a protected path the command created"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" interrupted
echo ok
