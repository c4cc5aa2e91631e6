# A file whose name is not UTF-8 can be accepted and rejected in the workbench
# (the name goes to the engine in its escaped form, caf\xe9_\xff.txt, and
# comes back as its bytes). A folder of that kind reaches the engine with
# :grant (its name completed with Tab), which refuses it, naming it: the
# session's record could not hold its name (grant_not_utf8).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Make files"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "printf 'bad\\n' > \"$(printf 'caf\\351_\\377.txt')\"; printf 'other\\n' > \"$(printf 'b\\351.txt')\""}}]},
 {"text": "Made.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "make" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
[ -e "$G/$(printf 'caf\351_\377.txt')" ] || { ls "$G"; fail "the command did not make the file"; }
ui_start 100 30 --resume latest
ui_wait "Made."
ui_keys Escape; ui_keys Tab
ui_wait "diff (2 files pending)"
ui_keys g
ui_wait 'b\xe9.txt'
ui_keys s
ui_wait 'accepted b\xe9.txt'
ui_wait "diff (1 file pending)"
ui_keys x
ui_wait "Discard every change to"
ui_keys y
ui_wait 'rejected caf\xe9_\xff.txt'
ui_wait "diff (0 files pending)"
[ ! -e "$G/$(printf 'caf\351_\377.txt')" ] || fail "the rejected file is still there"
assert_eq "$(cat "$G/$(printf 'b\351.txt')")" other
mkdir "$T/$(printf 'd\351r')"
ui_keys Escape; ui_keys :
ui_type "grant $T/d"
ui_keys Tab # completes the name, which has no way to be typed
ui_keys Enter
ui_wait "the folder's path is not UTF-8"
assert_contains "$(ui_screen)" 'd\xe9r'
assert_not_contains "$(ui_screen)" "2 grants"
ui_keys q
ui_wait "EXIT=0"
echo ok
