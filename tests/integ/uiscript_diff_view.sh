# In process: the diff pane's intra-line highlight (the changed middle of a
# -/+ pair in the theme's diff-add-word / diff-del-word style: element
# letters # on diff-del, * on diff-add)
# and its side-by-side view (v): old line left of the bar, new line right,
# on one row, halves padded to the bar; a pane narrower than 60 columns
# refuses v and falls back to unified, and side by side comes back when the
# pane is wide again.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
printf 'alpha\nbeta\nthe quick brown fox\nun café noir\ngamma\ndelta\n' >"$G/f.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Recolour"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "f.txt", "old_string": "the quick brown fox\nun café noir", "new_string": "the quick red fox\nun cafè noir"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text Allow edit_file
y
:wait text task done
<Tab>
:wait text diff \(1 file pending\)
z
:wait text  \+un cafè noir$
:save-screen $T/unified.scr elements
v
:wait text \[side-by-side\]
:wait idle
:save-screen $T/split.scr elements
:resize 50 30
:wait idle
v
:wait text needs 60 columns
:save-screen $T/narrow.scr
:resize 120 30
:wait text \[side-by-side\]
:wait idle
:save-screen $T/wide.scr
:quit"
# Colours on, so a highlighted cell matches no other element.
UI_ENV="NO_COLOR=" ui_run 120 30 --grant "$G" "recolour"

# letters NAME ROW_ERE TEXT: the element letters under TEXT (its first
# occurrence) on the last row matching ROW_ERE.
letters() {
  local row line pre
  row=$(screen "$1" | grep -nE -- "$2" | tail -1 | cut -d: -f1)
  [ -n "$row" ] || { screen "$1" >&2; fail "$1: no row matches '$2'"; }
  line=$(screen "$1" | sed -n "${row}p"); pre=${line%%"$3"*}
  [ "$pre" != "$line" ] || fail "$1: row $row has no '$3'"
  elements "$1" | sed -n "${row}p" | cut -c$((${#pre} + 1))-$((${#pre} + ${#3}))
}
expect_letters() { # NAME ROW_ERE TEXT LETTERS
  local got; got=$(letters "$1" "$2" "$3")
  [ "$got" = "$4" ] || { cat "$T/$1.scr" >&2; fail "$1: '$3' drawn as '$got', expected '$4'"; }
}

# Unified: only the changed words are highlighted, on both lines of each
# pair (the k-th removed line with the k-th added one); é/è share their
# first byte but the highlight takes the whole character.
assert_screen unified '^3   -the quick brown fox$' '^  3 \+the quick red fox$'
expect_letters unified ' -the quick brown fox$' 'brown' '#####'
expect_letters unified ' -the quick brown fox$' '-the quick ' '-----------'
expect_letters unified ' -the quick brown fox$' ' fox' '----'
expect_letters unified ' \+the quick red fox$' 'red' '***'
expect_letters unified ' \+the quick red fox$' '+the quick ' '+++++++++++'
expect_letters unified ' \+the quick red fox$' ' fox' '++++'
expect_letters unified ' -un café noir$' '-un caf' '-------'
expect_letters unified ' -un café noir$' 'é noir' '#-----'
expect_letters unified ' \+un cafè noir$' 'è noir' '*+++++'
[ "$(elements unified | grep -c '[*#]')" = 4 ] || { cat "$T/unified.scr" >&2; fail "highlights on other rows"; }
# the default theme's diff-add-word: black on green, unlike diff-add
hl=$(styles unified | sed -n 's/^\* diff-add-hl //p'); add=$(styles unified | sed -n 's/^+ diff-add //p')
[ -n "$hl" ] || fail "no diff-add-hl style line"
[ "$hl" != "$add" ] || fail "diff-add-hl looks like diff-add ($hl)"
grep -qE 'fg=(0|16) ' <<<"$hl" || fail "diff-add-hl is not the theme's diff-add-word (black on green): $hl"

# Side by side: one row holds both versions, the bar between, numbers in
# front; context on both halves; the bar in one column on every row.
bar='│'
assert_screen split 'diff \(1 file pending\) \[side-by-side\]' \
  "^3 -the quick brown fox +$bar""3 \+the quick red fox$" \
  "^4 -un café noir +$bar""4 \+un cafè noir$" \
  "^1  alpha +$bar""1  alpha$" "^6  delta +$bar""6  delta$"
screen split | grep -qE '^-the quick|^\+the quick' && fail "split: unified rows left"
expect_letters split 'brown fox.*red fox' 'brown' '#####'
expect_letters split 'brown fox.*red fox' 'red' '***'
expect_letters split 'brown fox.*red fox' '3 -the quick ' '-------------'
expect_letters split 'brown fox.*red fox' "$bar" '|'
expect_letters split 'brown fox.*red fox' '3 +the quick ' '+++++++++++++'
expect_letters split 'café noir.*cafè noir' 'é' '#'
expect_letters split 'café noir.*cafè noir' 'è' '*'
expect_letters split '^1  alpha' 'alpha' '.....'
cols=$(screen split | grep "$bar" | grep -E '^[0-9]' | while IFS= read -r l; do p=${l%%"$bar"*}; echo ${#p}; done | sort -u)
[ "$cols" = 59 ] || { cat "$T/split.scr" >&2; fail "split: bar at columns '$cols', expected 59"; }

# 50 columns: unified again, v refused with a message.
assert_screen narrow ' -the quick brown fox$' ' \+the quick red fox$' 'needs 60 columns'
screen narrow | grep -qF '[side-by-side]' && fail "narrow: title still says side-by-side"
screen narrow | grep -q "$bar.*red fox" && fail "narrow: still side by side"

# Wide again: the toggle was kept.
assert_screen wide "brown fox +$bar""3 \+the quick red fox$"
echo ok
