# In process at 80x24 on each terminal type the issue names (screen,
# tmux-256color, xterm-256color, linux, vt100): a whole task, from typing it
# to accepting the change, with the colours kept within what the terminal has.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write hello"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "hello.txt", "content": "hello\n"}}]},
 {"text": "Wrote hello.txt.", "stop_reason": "end_turn"}
]}
JSON
for term in screen tmux-256color xterm-256color linux vt100; do
  infocmp "$term" >/dev/null 2>&1 || skip "no terminfo entry for $term"
  G=$T/work-$term; mkdir -p "$G"
  start_fake "$T/script.json"
  steps ":wait approval
a
:wait text Allow write_file hello.txt
y
:wait text task done
:save-screen $T/$term-done.scr elements
<Tab>
:wait text diff \(1 file pending\)
s
:wait text diff \(0 files pending\)
:save-screen $T/$term-accepted.scr
:quit"
  UI_TERM=$term UI_ENV="NO_COLOR=" ui_run 80 24 --grant "$G" "write hello"
  for n in done accepted; do
    [ "$(screen "$term-$n" | wc -l)" -eq 24 ] || fail "$term $n: not 24 rows"
    [ "$(screen "$term-$n" | wc -L)" -le 80 ] || fail "$term $n: wider than 80"
  done
  assert_screen "$term-done" 'Wrote hello\.txt\.' 'task done' 'write_file'
  assert_screen "$term-accepted" 'diff \(0 files pending\)'
  assert_eq "$(cat "$G/hello.txt")" hello "$term"
  # colours within the terminal's: none on vt100, 8 on screen and linux
  colors=$(tput -T "$term" colors 2>/dev/null || echo -1)
  max=$(styles "$term-done" | sed -n 's/.* fg=\(-\?[0-9]*\) bg=\(-\?[0-9]*\).*/\1\n\2/p' | sort -n | tail -1)
  if [ "$colors" -le 0 ]; then
    [ "$max" = -1 ] || fail "$term has no colours but a style uses colour $max"
  else
    [ "$max" -lt "$colors" ] || fail "$term has $colors colours but a style uses colour $max"
  fi
  kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=
done
echo ok
