# The mouse is optional: a click on the diff pane focuses it (then X, a diff
# key, works there). Also: leaving the input line (the first key) must not
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
ui_keys q
ui_wait "EXIT=0"
echo ok
