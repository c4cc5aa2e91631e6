# run_command through the sandbox cannot read $HOME/.ssh, write outside its
# grants or open a network connection.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G" "$HOME/.ssh" "$T/outside"
echo "PRIVATE KEY" > "$HOME/.ssh/id_rsa"
python3 -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); open(sys.argv[1],"w").write(str(s.getsockname()[1])); time.sleep(30)' "$T/port" &
lpid=$!
for _ in $(seq 1 50); do [ -s "$T/port" ] && break; sleep 0.05; done
port=$(cat "$T/port")
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "probe"}]}}]},
 {"tool_calls": [
   {"name": "run_command", "input": {"command": "cat $HOME/.ssh/id_rsa; ls -a $HOME"}},
   {"name": "run_command", "input": {"command": "echo owned > $T/outside/x; echo owned > /etc/deskhand-owned; echo inside > inside.txt"}},
   {"name": "run_command", "input": {"command": "exec 3<>/dev/tcp/127.0.0.1/$port && echo CONNECTED"}},
   {"name": "run_command", "input": {"command": "env"}}
 ]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "probe" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
kill $lpid 2>/dev/null || true
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | .output' <<<"$out")
echo "$res" | head -30
grep -q "sandbox helper" <<<"$res" && fail "the sandbox helper was not found"
assert_not_contains "$res" "PRIVATE KEY"
assert_not_contains "$res" "CONNECTED"
assert_not_contains "$res" "test-key-123"
[ ! -e "$T/outside/x" ] || fail "wrote outside the grant"
[ ! -e /etc/deskhand-owned ] || { rm -f /etc/deskhand-owned; fail "wrote to /etc"; }
assert_eq "$(cat "$G/inside.txt")" inside
echo ok
