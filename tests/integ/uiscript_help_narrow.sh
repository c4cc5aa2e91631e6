# The help overlay (? and :help) at 80, 60 and 50 columns, in UTF-8 and with
# LANG=C: a description that wraps goes on under its own column (a hanging
# indent), never back at column 4; where its column leaves too little room
# (50 columns) it starts on the next row, under the action names (:help's
# commands, which have no second column: at column 4).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Hello.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
# the rows after the one matching ERE (2 of them)
after() { screen "$1" | grep -A2 -E -- "$2" | tail -n +2; }
# no overlay row starts at column 4 (the old continuation)
no_col4() {
  ! screen "$1" | head -n -2 | grep -nE '^    [^ ]' || fail "$1: a row restarts at column 4"
}
for lang in C.UTF-8 C; do
  steps "<Esc>
?
:save-screen $T/k80.scr
:resize 60 40
:wait idle
:save-screen $T/k60.scr
:resize 50 40
:wait idle
:save-screen $T/k50.scr
q
:resize 50 90
:type :help
<Enter>
:save-screen $T/h50.scr
:quit"
  UI_ENV="LANG=$lang LC_ALL=$lang" ui_run 80 40 --grant "$G"
  c42=$(printf '%42s' '')
  assert_eq "$(after k80 '^  z +maximize +Maximize the focused pane \(again:$' | head -1)" \
    "${c42}restore)"
  assert_eq "$(after k80 '^  : +command +Command line \(:grant, :ungrant,$' | head -1)" \
    "${c42}:sessions, :detach, :q)"
  no_col4 k80
  assert_eq "$(after k60 '^  z +maximize +Maximize the$')" "${c42}focused pane
${c42}(again: restore)"
  no_col4 k60
  c21=$(printf '%21s' '')
  assert_eq "$(after k50 '^  z +maximize$')" \
    "${c21}Maximize the focused pane
${c21}(again: restore)"
  assert_eq "$(after k50 '^  q +quit$')" \
    "${c21}Quit (asks while a task
${c21}runs: detach or stop it)"
  no_col4 k50
  # :help's commands: their column (33) leaves too little room at 50
  # columns; the description goes on rows of its own, all at column 4
  assert_eq "$(after h50 '^  :detach$')" "    leave; the task goes on (deskhand attach
    comes back)"
done
echo ok
