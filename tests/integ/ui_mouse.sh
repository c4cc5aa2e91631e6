# The mouse is optional: a click on the diff pane focuses it (then X, a diff
# key, works there); the wheel scrolls the help over the panes (it was
# ignored while an overlay was shown). Also: leaving the input line (the first key) must not
# blank the panes (wget_wch refreshing a never-drawn stdscr did).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "m.txt", "content": "m\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "write" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
# An X10 mouse report (tmux-256color's kmous): ESC [ M, button+32, x+33, y+33.
click() { tm send-keys -l "$(printf '\033[M %b%b' "\\$(printf '%03o' $(( $1 + 33 )))" "\\$(printf '%03o' $(( $2 + 33 )))")"; }
# wheel N X Y: the same report of button N (64 wheel up, 65 wheel down)
wheel() { tm send-keys -l "$(printf '\033[M%b%b%b' "\\$(printf '%03o' $(( $1 + 32 )))" "\\$(printf '%03o' $(( $2 + 33 )))" "\\$(printf '%03o' $(( $3 + 33 )))")"; }
row_of() { ui_screen | grep -n -- "$1" | head -1 | cut -d: -f1; }
ui_start 100 40 --resume latest
ui_wait "diff (1 file pending)"
ui_keys Escape
ui_wait "A m.txt"; r=$(( $(row_of "A m.txt") - 1 ))
click 10 "$r"
sleep 0.3
ui_keys X
ui_wait "Reject all 1 pending file? y/n"
ui_keys y
ui_wait "rejected every pending change"
[ ! -e "$G/m.txt" ] || fail "m.txt still there"
# The wheel (buttons 65 and 64) over the help moves it as j and k do,
# three at a time.
body() { ui_screen | sed -n 2,6p; }
help_after() { # KEYS...: the help's first rows after KEYS, opened afresh
  ui_keys '?'; ui_wait "Move focus to the next pane"
  "$@"
  sleep 0.3; body; ui_keys q
  for _ in $(seq 1 40); do ui_screen | grep -q "help: keys" || break; sleep 0.05; done
}
before=$(help_after true)
down=$(help_after wheel 65 10 10)
[ "$down" != "$before" ] || fail "the wheel did not move the help: $down"
assert_eq "$(help_after ui_keys j j j)" "$down" "the help after j j j, as after the wheel down"
updown() { wheel 65 10 10; wheel 64 10 10; }
assert_eq "$(help_after updown)" "$(help_after ui_keys j j j k k k)" \
  "the help after the wheel down and up, as after j j j k k k"
ui_keys q
ui_wait "EXIT=0"
echo ok
