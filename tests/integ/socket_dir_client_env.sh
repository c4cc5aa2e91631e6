# An engine listens in the $XDG_RUNTIME_DIR/deskhand of the shell that
# started it (a workbench in tmux); a shell without that variable (su -,
# sudo -i, an SSH login without a session manager) or with another one
# looked only in its own directory: `ls` said no live session, `wait` on a
# task that waited for an approval polled forever instead of exiting 4,
# `stop` said the task ran in a foreground `deskhand run`, `inbox` was
# empty and `attach` told the person to attach. Each engine now leaves the
# directory it listens in under the state directory, and clients look there
# too.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write a"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
id=$("$DESKHAND" run --detach --grant "$G" --mode ask --approve-plan "write a") \
  || fail "run --detach failed"
[ -S "$SOCKDIR/$id.sock" ] || fail "the engine does not listen in $SOCKDIR"
wait_state "$id" waiting
mkdir -m 700 "$T/run2"
for how in unset other; do
  if [ $how = unset ]; then env=(env -u XDG_RUNTIME_DIR); else env=(env XDG_RUNTIME_DIR=$T/run2); fi
  "${env[@]}" "$DESKHAND" ls --json > "$T/ls" 2>&1 || { cat "$T/ls"; fail "ls ($how) failed"; }
  assert_eq "$(jq -r --arg s "$id" '.[] | select(.id == $s) | .state' "$T/ls")" waiting \
    "ls with XDG_RUNTIME_DIR $how: $(cat "$T/ls")"
  rc=0; timeout 10 "${env[@]}" "$DESKHAND" wait "$id" > "$T/wait" 2>&1 || rc=$?
  assert_eq "$rc" 4 "wait with XDG_RUNTIME_DIR $how: $(cat "$T/wait")"
  assert_contains "$(cat "$T/wait")" "deskhand attach $id"
  "${env[@]}" "$DESKHAND" inbox > "$T/inbox" 2>&1 || true
  assert_contains "$(cat "$T/inbox")" "$id"
done
rc=0; timeout 10 env -u XDG_RUNTIME_DIR "$DESKHAND" stop "$id" > "$T/stop" 2>&1 || rc=$?
assert_eq "$rc" 0 "stop without XDG_RUNTIME_DIR: $(cat "$T/stop")"
rc=0; "$DESKHAND" wait "$id" > /dev/null 2>&1 || rc=$?
assert_eq "$rc" 130 "wait after stop"
[ ! -e "$G/a.txt" ] || fail "a.txt was written without an approval"
echo ok
