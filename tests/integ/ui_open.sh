# In a real terminal (tmux): :sessions, then Enter on the older session reopens
# the workbench on it (a second newterm on the same tty): its transcript and
# pending diff show, and keys work there.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write f"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "f.txt", "content": "x\n"}}]},
 {"text": "Written first.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "write f" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
ui_start 100 30 --grant "$G"
ui_wait "idle"
ui_keys Escape
ui_type ":sessions"; ui_keys Enter
ui_wait "write f"
ui_keys j; ui_keys Enter
ui_wait "Written first."
ui_wait "diff (1 file pending)"
ui_keys Escape
ui_keys q
ui_wait "EXIT=0"
echo ok
