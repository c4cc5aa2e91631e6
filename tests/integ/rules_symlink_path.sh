# A deny rule whose path is written through a symlink (the folder granted as
# notes, a link to real/) holds: the grants are real paths, so the rule's
# glob named no file of theirs and a write to secret/a.txt went through.
# `deskhand rules` shows it in the relative form it is matched in.
. "$DH_TESTS/lib.sh"
mkdir -p "$T/real/secret"; ln -s real "$T/notes"
mkdir -p "$XDG_CONFIG_HOME/deskhand"
echo "deny write_file($T/notes/secret/*)" > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "secret/a.txt", "content": "pwn\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "open.txt", "content": "ok\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$T/notes" --approve-plan --mode auto --json "write" > "$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
[ ! -e "$T/real/secret/a.txt" ] || fail "the deny rule written through the symlink did not hold"
[ -e "$T/real/open.txt" ] || fail "a write the rule does not name was refused"
assert_contains "$(jq -r 'select(.type=="tool_result" and .is_error).output' "$T/out")" "secret/*"
echo ok
