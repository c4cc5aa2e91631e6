# A stdio connector's stderr: kept whole in $XDG_STATE_HOME/deskhand/mcp/NAME.log,
# each line in the session's engine.log (a detached engine's log), and the
# last line it wrote before it died is in the failure the person sees.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat >"$T/dies.py" <<'PY'
import sys
sys.stderr.write("loading the index\nfatal: cannot open /srv/index.db: no such file\n")
sys.stderr.flush()
sys.exit(3)
PY
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"dies": {"command": "python3", "args": ["$T/dies.py"]}}}
JSON
log=$XDG_STATE_HOME/deskhand/mcp/dies.log

rc=0; out=$("$DESKHAND" mcp tools dies 2>&1) || rc=$?
assert_eq "$rc" 1 "$out"
assert_contains "$out" "dies: failed: connector dies exited with status 3 (its last words: fatal: cannot open /srv/index.db: no such file; all of it in $XDG_STATE_HOME/deskhand/mcp/dies.log)"
assert_file_contains "$log" "loading the index"
assert_file_contains "$log" "fatal: cannot open /srv/index.db"

# A detached session: the lines are in its engine.log too.
echo '{"turns": [{"text": "Hi.", "stop_reason": "end_turn"}]}' >"$T/script.json"
start_fake "$T/script.json"
sid=$("$DESKHAND" run --detach --grant "$G" "hello" </dev/null 2>"$T/run.err") ||
  { cat "$T/run.err"; fail "run --detach failed"; }
timeout 30 "$DESKHAND" wait "$sid" >/dev/null 2>&1 || fail "the run did not end done"
assert_file_contains "$XDG_STATE_HOME/deskhand/sessions/$sid/engine.log" \
  "connector dies stderr: fatal: cannot open /srv/index.db: no such file"
echo ok
