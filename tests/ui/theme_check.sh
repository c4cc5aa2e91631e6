# One theme at 256 colours, 16 colours and in mono (tests/integ/uiscript_theme_*.sh
# set THEME, and USES_256=1 when the theme has colours beyond the first 16).
# Each run edits a file, opens the diff pane and saves the screen with the
# element layer and the resolved styles, then checks:
#   - the status line, the focused title and the diff's -/+ rows are drawn,
#     and the -/+ rows carry different elements (also in mono);
#   - the colours are within the depth (mono: none), diff-add and diff-del
#     styles differ; with USES_256 the 256 run uses a colour above 15.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
: "${THEME:?}"
mkdir -p "$T/terminfo"
tic -x -o "$T/terminfo" "$DH_TESTS/ui/xterm-16color.ti" 2>/dev/null || skip "tic cannot compile xterm-16color"
turns='{"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "m.txt", "old_string": "l5\n", "new_string": "L5\n"}}]},
 {"text": "# Edited\n\nDone.", "stop_reason": "end_turn"}'
printf '{"turns": [%s,\n%s,\n%s]}\n' "$turns" "$turns" "$turns" >"$T/script.json"
start_fake "$T/script.json"

# letter_at NAME TEXT: the element letter under the first cell of TEXT on the
# last row showing it.
letter_at() {
  local row line pre
  row=$(screen "$1" | grep -nF -- "$2" | tail -1 | cut -d: -f1)
  [ -n "$row" ] || { screen "$1" >&2; fail "$1: no row shows '$2'"; }
  line=$(screen "$1" | sed -n "${row}p"); pre=${line%%"$2"*}
  elements "$1" | sed -n "${row}p" | cut -c$((${#pre} + 1))
}
style() { styles "$1" | awk -v n="$2" '$2 == n { print $3, $4, $5 }'; }

for depth in 256 16 mono; do
  G=$T/w$depth; mkdir -p "$G"; seq 1 30 | sed 's/^/l/' >"$G/m.txt"
  steps ":wait approval
a
:wait text Allow edit_file
y
:wait text task done
<Tab>
:wait text diff \(1 file pending\)
:wait idle
:save-screen $T/$depth.scr elements
:quit"
  case $depth in
    256) UI_TERM=xterm-256color UI_ENV="NO_COLOR=" ;;
    16) UI_TERM=xterm-16color UI_ENV="NO_COLOR= TERMINFO=$T/terminfo" ;;
    mono) UI_TERM=xterm-256color UI_ENV="NO_COLOR=1" ;;
  esac
  ui_run 120 30 --grant "$G" --theme "$THEME" "edit"
  assert_screen $depth 'diff \(1 file pending\)' '^[ 0-9]*-l5$' '^[ 0-9]*\+L5$'
  elements $depth | grep -q s || fail "$depth: no status cells"
  elements $depth | grep -q T || fail "$depth: no focused title cells"
  add=$(letter_at $depth "+L5"); del=$(letter_at $depth "-l5")
  [ "$add" != "$del" ] || fail "$depth: diff-add and diff-del rows look the same ('$add')"
  [ "$add" != . ] && [ "$del" != . ] || fail "$depth: a diff row is drawn as normal text"
  [ "$(style $depth diff-add)" != "$(style $depth diff-del)" ] || fail "$depth: diff-add and diff-del resolve alike"
  max=$(styles $depth | sed -n 's/.* fg=\(-\{0,1\}[0-9]*\) bg=\(-\{0,1\}[0-9]*\) .*/\1\n\2/p' | sort -n | tail -1)
  mono=$depth; [ "$THEME" = mono ] && mono=mono
  case $mono in
    256) [ "$add$del" = "+-" ] || fail "256: diff rows are '$add' '$del', not + -"
         [ "$max" -le 255 ] || fail "256: colour $max"
         [ "${USES_256:-0}" = 0 ] || [ "$max" -gt 15 ] || fail "256: no colour above 15" ;;
    16) [ "$add$del" = "+-" ] || fail "16: diff rows are '$add' '$del', not + -"
        [ "$max" -le 15 ] || fail "16: colour $max beyond 16" ;;
    mono) [ "$max" = -1 ] || fail "$depth: colours in mono (max $max)" ;;
  esac
done
[ "$THEME" = mono ] || [ "${USES_256:-0}" = 0 ] || [ "$(styles 256)" != "$(styles 16)" ] || fail "256 and 16 colours resolve alike"
echo ok
