# A workbench that attaches while a task starts (its skills are read on a
# worker, its agent not made yet) says "starting" on its status line, as
# the hello state and status say, then goes on as the task runs. Before,
# it said "working" for a task that had not begun.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
export DESKHAND
N=12
big_skill_folders "$T/work" $N; grants=("${BIG_GRANTS[@]}")
mkdir -p "$XDG_CONFIG_HOME/deskhand"; echo "set large_file_limit = 1" > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Started and done.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
ready=$(python3 "$DH_TESTS/integ/server_client.py" spawn "${grants[@]}" --approve-plan --mode auto "go") ||
  fail "spawn: $ready"
id=${ready#ok }
ui_start 100 30 attach "$id"
ui_wait "starting " 15
screen=$(ui_screen)
assert_not_contains "$screen" "Started and done."
ui_wait "task done." 60
assert_contains "$(ui_screen)" "Started and done."
ui_keys q
ui_wait "EXIT=0" 15
echo ok
