# Without --session, a review verb's relative paths are relative to the
# current directory inside the session's grant, as git takes them: in sub/,
# `deskhand reject b.txt` is sub/b.txt, not the b.txt at the top of the
# grant, which it used to restore. With --session they stay relative to the
# first granted folder.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub"
printf 'top\n' > "$G/b.txt"; printf 'sub\n' > "$G/sub/b.txt"
for i in $(seq 1 20); do echo "line $i"; done > "$G/sub/c.txt"
new_c=$(sed 's/^line 2$/LINE 2/; s/^line 18$/LINE 18/' "$G/sub/c.txt")
jq -n --arg c "$new_c" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "TOP agent\n"}},
                 {"name": "write_file", "input": {"path": "sub/b.txt", "content": "SUB agent\n"}},
                 {"name": "write_file", "input": {"path": "sub/c.txt", "content": ($c + "\n")}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
cd "$G"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "Edit" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
cd sub
out=$("$DESKHAND" review --stat b.txt 2>&1) || { echo "$out"; fail "review in sub/"; }
assert_contains "$out" "M  sub/b.txt"
assert_not_contains "$out" "M  b.txt"
out=$("$DESKHAND" reject b.txt 2>&1) || { echo "$out"; fail "reject in sub/"; }
assert_contains "$out" "restored sub/b.txt"
assert_eq "$(cat b.txt)" "sub" "sub/b.txt after reject in sub/"
assert_eq "$(cat ../b.txt)" "TOP agent" "the top b.txt after reject in sub/"
out=$("$DESKHAND" reject-hunk c.txt 2 2>&1) || { echo "$out"; fail "reject-hunk in sub/"; }
assert_eq "$(sed -n 18p c.txt)$(sed -n 2p c.txt)" "line 18LINE 2" "sub/c.txt after reject-hunk 2"
# --session: relative to the first granted folder, as before
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions" | head -1)
out=$("$DESKHAND" reject --session "$sid" b.txt 2>&1) || { echo "$out"; fail "reject --session"; }
assert_eq "$(cat ../b.txt)" "top" "the top b.txt after reject --session"
echo ok
