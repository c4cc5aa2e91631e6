# Names, labels and tasks that the agent or a file name made are printed
# printable: a file the agent named "evil<ESC>[2J<ESC>[31mname<LF>M  fake.txt"
# and a task with an escape and a newline cannot clear the screen, colour it
# or forge a line in `review`, `log`, `sessions` and `ls` (C0 controls in
# caret notation, as the workbench shows them). --json keeps them exact.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/work; mkdir -p "$G"
python3 - "$T/script.json" <<'PY'
import json, sys
cmd = "printf x > \"$(printf 'evil\\033[2J\\033[31mname\\nM  fake.txt')\""
json.dump({"turns": [
    {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Name"}]}}]},
    {"tool_calls": [{"name": "run_command", "id": "toolu_n", "input": {"command": cmd}}]},
    {"fault": "hang"}]}, open(sys.argv[1], "w"))
PY
start_fake "$T/script.json"
cd "$G"
task=$(printf 'task\033[31m\nsecond line')
id=$("$DESKHAND" run --detach --grant "$G" --mode auto --approve-plan "$task") \
  || fail "run --detach failed"
made() { [ -n "$(find . -maxdepth 1 -name 'evil*' -print -quit)" ]; }
for _ in $(seq 1 400); do made && break; sleep 0.05; done
made || fail "the command made no file"
for _ in $(seq 1 200); do "$DESKHAND" log 2>/dev/null | grep -q run_command && break; sleep 0.05; done
check() { # NAME FILE: no ESC byte, no forged line
  if grep -q $'\033' "$2"; then cat -A "$2"; fail "$1 printed an ESC"; fi
  if grep -q '^M  fake.txt\|^ *M fake.txt\|^second line' "$2"; then cat -A "$2"; fail "$1 printed a forged line"; fi
}
"$DESKHAND" review --stat >"$T/review.out" 2>&1 || fail "review failed"
check review "$T/review.out"
assert_contains "$(cat "$T/review.out")" 'A  evil^[[2J^[[31mname^JM  fake.txt'
"$DESKHAND" log >"$T/log.out" 2>&1 || fail "log failed"
check log "$T/log.out"
assert_contains "$(cat "$T/log.out")" 'task^[[31m^Jsecond line'
"$DESKHAND" sessions >"$T/sessions.out" 2>&1 || fail "sessions failed"
check sessions "$T/sessions.out"
"$DESKHAND" ls >"$T/ls.out" 2>&1 || fail "ls failed"
check ls "$T/ls.out"
assert_contains "$(cat "$T/ls.out")" 'task^[[31m^Jsecond line'
# --json is exact
name=$("$DESKHAND" review --json 2>/dev/null | jq -r '.grants[0].files[0].path')
assert_eq "$name" "$(printf 'evil\033[2J\033[31mname\nM  fake.txt')" "the name in --json"
"$DESKHAND" stop "$id" >/dev/null 2>&1 || true
echo ok
