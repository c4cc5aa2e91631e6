# The headless ask prompt on a real terminal (tmux): each change shows its
# diff (3 lines of context, not the whole strings), then [y/n/a/d]: d denies
# with a message the model reads, a then p allows only calls matching the
# proposed path pattern (the next matching call runs unasked, another one
# asks), and Ctrl-C at the prompt interrupts the task (exit 130).
. "$DH_TESTS/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"
G=$T/work; mkdir -p "$G/notes"
for i in $(seq 1 200); do echo "line $i"; done > "$G/big.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "big.txt", "old_string": "line 50\nline 51\nline 52\n", "new_string": "fifty\nfifty-one\nfifty-two\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes/a.md", "content": "A\n"}}], "expect": {"last_user_contains": "not that one"}},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes/b.md", "content": "B\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "other.txt", "content": "O\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "last.txt", "content": "L\n"}}]},
 {"text": "finished", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
sock=dh$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT
tm new-session -d -x 120 -y 50 "env HOME=$HOME XDG_STATE_HOME=$XDG_STATE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL ANTHROPIC_API_KEY=k NO_COLOR=1 LC_ALL=C.UTF-8 $DESKHAND run --grant $G 'edit'; echo EXIT=\$?; sleep 30"
wait_screen() {
  for _ in $(seq 1 200); do
    tm capture-pane -p -S -200 | grep -qF -- "$1" && return 0; sleep 0.05
  done
  tm capture-pane -p -S -200; fail "timed out waiting for '$1' on the screen"
}
wait_screen "Approve this plan? [y/n]"
tm send-keys y Enter
wait_screen "Allow edit_file big.txt? [y/n/a/d]"
screen=$(tm capture-pane -p -S -200)
assert_contains "$screen" "--- a/big.txt"
assert_contains "$screen" "@@ -47,9 +47,9 @@"
assert_contains "$screen" "     line 49"
assert_contains "$screen" "    -line 50"
assert_contains "$screen" "    -line 52"
assert_contains "$screen" "    +fifty-two"
assert_contains "$screen" "     line 53"
assert_not_contains "$screen" "line 100"
tm send-keys d Enter
wait_screen "Tell the agent why"
tm send-keys "not that one" Enter
wait_screen "Allow write_file notes/a.md? [y/n/a/d]"
assert_contains "$(tm capture-pane -p -S -200)" "+++ b/notes/a.md"
tm send-keys a Enter
wait_screen "Always allow: t every write_file call, p only write_file notes/*.md [t/p]"
tm send-keys p Enter
wait_screen "Allow write_file other.txt? [y/n/a/d]"
screen=$(tm capture-pane -p -S -200)
assert_contains "$screen" "always allowed this session (write_file notes/*.md)"
assert_not_contains "$screen" "Allow write_file notes/b.md"
tm send-keys y Enter
wait_screen "Allow write_file last.txt? [y/n/a/d]"
tm send-keys C-c
wait_screen "EXIT="
screen=$(tm capture-pane -p -S -200)
echo "$screen"
assert_contains "$screen" "EXIT=130"
assert_contains "$screen" "interrupted"
grep -q "^line 50$" "$G/big.txt" || fail "big.txt edited after d"
assert_eq "$(cat "$G/notes/a.md")" A
assert_eq "$(cat "$G/notes/b.md")" B
assert_eq "$(cat "$G/other.txt")" O
[ ! -e "$G/last.txt" ] || fail "last.txt written after Ctrl-C"
echo ok
