# In a real terminal (tmux): `o` in the diff pane hands the terminal to
# $EDITOR (the workbench draws nothing meanwhile) and takes it back when the
# editor exits: the screen is redrawn whole, the mouse and alternate-screen
# modes come back, and keys work again.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write f"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "f.txt", "content": "from the agent\n"}}]},
 {"text": "Written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "write f" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
cat > "$T/ed.sh" <<'EOF2'
#!/bin/sh
clear
echo "EDITOR IS OPEN ON $1"
stty -a | grep -q ' icanon' && echo "COOKED MODE"
while [ ! -e "$FLAG" ]; do sleep 0.05; done
echo "edited by hand" >> "$1"
EOF2
chmod +x "$T/ed.sh"
UI_ENV="EDITOR=$T/ed.sh FLAG=$T/flag" ui_start 100 30 --resume latest
ui_wait "Written."
ui_keys Escape; ui_keys Tab
ui_wait "diff (1 file pending)"
# tmux reports the modes the program set: mouse reporting, the alternate screen
modes() { tm display -p '#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag} alt=#{alternate_on}'; }
before=$(modes)
assert_contains "$before" "alt=1"
ui_keys o
ui_wait "EDITOR IS OPEN ON $(cd "$G" && pwd -P)/f.txt"
ui_wait "COOKED MODE"
s=$(ui_screen)
assert_not_contains "$s" "diff (1 file pending)"
# the editor gets the terminal as the shell had it: no mouse reports, main screen
assert_eq "$(modes)" "000 alt=0" "modes while the editor runs"
touch "$T/flag"
ui_wait "diff (1 file pending)"
assert_eq "$(modes)" "$before" "modes after the editor"
s=$(ui_screen); echo "$s"
assert_not_contains "$s" "EDITOR IS OPEN"
assert_eq "$(cat "$G/f.txt")" "$(printf 'from the agent\nedited by hand')"
# keys work again: the help overlay opens and closes, then q quits
ui_keys '?'
ui_wait "Show the key bindings"
ui_keys q
ui_wait "diff (1 file pending)"
ui_keys q
ui_wait "EXIT=0"
echo ok
