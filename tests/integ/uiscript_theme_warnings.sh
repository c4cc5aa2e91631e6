# A theme file with bad lines: the workbench still opens, and each warning
# (file:line and what is wrong) stays in the transcript, whether it opens on
# the task line (no TASK) or starts a task at once.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
printf 'inherit default\ndiff-add #zzzzzz default - bold\nbogus red default - -\n' >"$T/my.theme"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Hello.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
steps ":wait idle
:save-screen $T/idle.scr
:quit"
ui_run 100 30 --grant "$G" --theme "$T/my.theme"
assert_screen idle "my\.theme:2: fg: bad colour '#zzzzzz'" "my\.theme:3: unknown element 'bogus'"
steps ":wait text task done
:save-screen $T/task.scr
:quit"
ui_run 100 30 --grant "$G" --theme "$T/my.theme" "say hello"
assert_screen task "my\.theme:2: fg: bad colour '#zzzzzz'" "my\.theme:3: unknown element 'bogus'" \
  'Hello\.'
echo ok
