# The shadow repositories read no git configuration but their own: a
# person's ~/.gitconfig (or $XDG_CONFIG_HOME/git/config) that libgit2
# cannot parse, or whose settings differ, changes nothing in review, the
# inbox or a new checkpoint.
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write it"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.md", "content": "a\n"}}]},
 {"text": "Wrote a.md.", "stop_reason": "end_turn"},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.md", "content": "b\n"}}]},
 {"text": "Wrote b.md.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "write a" >"$T/run.out" 2>&1 \
  || fail "run: $(cat "$T/run.out")"
S=$(ls "$XDG_STATE_HOME/deskhand/sessions")
printf '[core\n\tbroken = \n' >"$HOME/.gitconfig"
mkdir -p "$XDG_CONFIG_HOME/git"
printf '[core\n' >"$XDG_CONFIG_HOME/git/config"
out=$("$DESKHAND" review --session "$S" 2>"$T/err") || fail "review: $(cat "$T/err")"
assert_contains "$out" "a.md"
assert_eq "$(cat "$T/err")" ""
"$DESKHAND" inbox --json >"$T/inbox" 2>"$T/err" || fail "inbox: $(cat "$T/err")"
assert_eq "$(jq -r '.[] | "\(.id) \(.pending)"' "$T/inbox")" "$S 1"
"$DESKHAND" run --resume "$S" --approve-plan --mode auto "and b" >"$T/run2.out" 2>&1 \
  || fail "resume: $(cat "$T/run2.out")"
out=$("$DESKHAND" review --session "$S" 2>"$T/err") || fail "review (2): $(cat "$T/err")"
assert_contains "$out" "b.md"
(cd "$G" && "$DESKHAND" accept --session "$S" >"$T/acc" 2>&1) || fail "accept: $(cat "$T/acc")"
assert_eq "$("$DESKHAND" inbox)" "inbox empty"
echo ok
