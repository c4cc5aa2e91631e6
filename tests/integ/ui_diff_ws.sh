# w in the diff pane hides whitespace-only changes (shown as context) and
# shows them again; the real change stays. U lists checkpoints and Enter
# restores one.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
printf 'alpha beta\nkeep\ngamma\n' > "$G/f.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit f"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "f.txt", "content": "alpha   beta\nkeep\nGAMMA\n"}}]},
 {"text": "Edited.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "edit f" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
ui_start 120 40 --resume latest
ui_wait "Edited."
ui_keys Escape; ui_keys Tab
ui_wait "diff (1 file pending)"
ui_wait "+alpha   beta"
assert_contains "$(ui_screen)" "-alpha beta"
ui_keys w
ui_wait "[whitespace ignored]"
s=$(ui_screen); echo "$s"
assert_not_contains "$s" "-alpha beta"
assert_not_contains "$s" "+alpha   beta"
assert_contains "$s" " alpha   beta"
assert_contains "$s" "+GAMMA"
assert_contains "$s" "-gamma"
ui_keys w
ui_wait "-alpha beta"
assert_not_contains "$(ui_screen)" "whitespace ignored"
# U lists the checkpoints, newest first; Enter on the oldest (the baseline)
# restores the folder to it; U again goes back to the review.
ui_keys U
ui_wait "checkpoints, newest first"
ui_wait "2 checkpoints]"
s=$(ui_screen); echo "$s"
assert_contains "$s" "write_file"
ui_keys G; ui_keys Enter
ui_wait "Restore checkpoint"
ui_keys y
ui_wait "restored checkpoint"
assert_eq "$(cat "$G/f.txt")" "$(printf 'alpha beta\nkeep\ngamma')"
ui_wait "diff (0 files pending)"
ui_keys U
ui_wait "restore "
ui_keys U
ui_wait "(nothing pending)"
ui_keys q
ui_wait "EXIT=0"
echo ok
