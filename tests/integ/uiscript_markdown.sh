# In process (DH_SCRIPT): an answer streamed in 7-character deltas holding a
# table, a task list, links, a rule, nested lists and fenced code (4 ms
# apart: many frames while it streams), rendered
# at 80 and at 140 columns. Checked through the text and the element layer:
# the table's column bars line up (a long cell wraps at 80, not at 140), the
# header row is a heading with a rule under it, the link text is drawn as a
# link with its URL once (an autolink's not repeated), the code block is
# labelled with its language and drawn as code, the task marks and the
# nested list indentation are there. Each width is also laid out again whole
# after a resize there and back: the streamed (incremental) layout must be
# the same as the whole one.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
python3 - "$T/script.json" <<'PY'
import json, sys
md = """# Fruit report

| Item | Qty | Status |
|:-----|----:|:------:|
| apples | 3 | ok |
| kiwis | 12 | |
| a fruit with a rather long name that wraps when the pane is narrow, as it is at eighty | 1 | late |

- [x] counted the crates
- [ ] ordered more

See [the inventory](https://example.org/inv) or https://example.org/raw for ~~old~~ details.

---

1. Fruit
   - apples
     - green apples
   - kiwis
2. Vegetables

```python
def total(rows):
    return sum(r.qty for r in rows)
```

END-OF-ANSWER
"""
turn = {"text": md, "text_step": 7, "delay_ms": 4, "stop_reason": "end_turn"}
json.dump({"turns": [turn, turn]}, open(sys.argv[1], "w"))
PY
start_fake "$T/script.json"
# in colour: in mono several elements share an attribute (a link and a blurred title)
UI_ENV="NO_COLOR="

# row_of NAME ERE: the first screen row (1-based) matching ERE.
row_of() {
  local r; r=$(screen "$1" | grep -nE -- "$2" | head -1 | cut -d: -f1)
  [ -n "$r" ] || { screen "$1" >&2; fail "$1: no row matches '$2'"; }
  echo "$r"
}
# col_of NAME ROW TEXT: the column (0-based) where TEXT starts on ROW, -1 if
# it does not (every character here is one column wide).
col_of() {
  local line pre
  line=$(screen "$1" | sed -n "$2p")
  [[ "$line" == *"$3"* ]] || { echo -1; return; }
  pre=${line%%"$3"*}
  echo "${#pre}"
}
# letters NAME ROW TEXT: the element letters under TEXT on ROW.
letters() {
  local c row; c=$(col_of "$1" "$2" "$3")
  [ "$c" -ge 0 ] || fail "$1: row $2 has no '$3'"
  row=$(elements "$1" | sed -n "$2p")
  echo "${row:$c:${#3}}"
}
# transcript NAME: the rows from the transcript pane's title on (it is maximized).
transcript() { screen "$1" | sed -n '/^ transcript/,$p'; }

check() { # NAME COLS
  local n=$1 cols=$2 h b1 b2 b3 sep r
  assert_screen "$n" 'Fruit report' 'END-OF-ANSWER' 'task done'
  [ "$(screen "$n" | wc -L)" -le "$cols" ] || fail "$n: rows wider than $cols"
  # the table: header row (heading), a rule, body rows; bars in the same columns
  h=$(row_of "$n" '^  Item +│ +Qty │ Status')
  [[ "$(letters "$n" "$h" Item)" == hhhh ]] || fail "$n: the header row is not a heading: $(letters "$n" "$h" Item)"
  r=$((h + 1))
  screen "$n" | sed -n "${r}p" | grep -qE '^  ─+┼─+┼─+$' || fail "$n: no rule under the header: $(screen "$n" | sed -n "${r}p")"
  [[ "$(letters "$n" "$r" ─)" == m ]] || fail "$n: the rule is not dim"
  b1=$(row_of "$n" '^  apples +│ +3 │ +ok$')
  b2=$(row_of "$n" '^  kiwis +│ +12 │$')
  b3=$(row_of "$n" '^  a fruit with')
  sep=$(col_of "$n" "$h" "│")
  for r in "$b1" "$b2" "$b3"; do
    [ "$(col_of "$n" "$r" "│")" = "$sep" ] || fail "$n: row $r's bar is not under the header's (col $sep): $(screen "$n" | sed -n "${r}p")"
  done
  if [ "$cols" -lt 100 ]; then
    # the long cell wraps inside its column; its next row keeps the bars
    r=$((b3 + 1))
    screen "$n" | sed -n "${r}p" | grep -qE '^  [a-z].*│ +│' || fail "$n: the long cell did not wrap in its column: $(screen "$n" | sed -n "${r}p")"
    [ "$(col_of "$n" "$r" "│")" = "$sep" ] || fail "$n: the wrapped row's bar moved"
  else
    screen "$n" | grep -qE 'as it is at eighty +│ +1 │ +late$' || fail "$n: the long cell wrapped at $cols columns"
  fi
  # task list
  assert_screen "$n" '^  ☑ counted the crates$' '^  ☐ ordered more$'
  # links: text drawn as a link, the URL once, an autolink not repeated
  r=$(row_of "$n" 'See the inventory')
  [[ "$(letters "$n" "$r" "the inventory")" == LLLLLLLLLLLLL ]] || fail "$n: the link text is not a link: $(letters "$n" "$r" "the inventory")"
  [ "$(transcript "$n" | grep -o 'https://example.org/inv' | wc -l)" = 1 ] || fail "$n: the link's URL is not shown exactly once"
  [ "$(transcript "$n" | grep -o 'https://example.org/raw' | wc -l)" = 1 ] || fail "$n: the autolink's URL is repeated"
  r=$(row_of "$n" 'https://example.org/raw')
  [[ "$(letters "$n" "$r" "https://example.org/raw")" =~ ^L+$ ]] || fail "$n: the autolink is not a link"
  assert_screen "$n" '~old~ details'
  # the rule spans the pane
  r=$(row_of "$n" '^  ─{20,}$')
  [ "$(screen "$n" | sed -n "${r}p" | wc -L)" = "$cols" ] || fail "$n: the rule does not span the pane"
  # nested lists, with their markers and indentation
  assert_screen "$n" '^  1\. Fruit$' '^     • apples$' '^       ◦ green apples$' '^     • kiwis$' '^  2\. Vegetables$'
  # the code block: its language label (dim) and its lines verbatim (code)
  r=$(row_of "$n" '^  ── python$')
  [[ "$(letters "$n" "$r" "python")" == mmmmmm ]] || fail "$n: the label is not dim"
  r=$(row_of "$n" '^    def total\(rows\):$')
  [[ "$(letters "$n" "$r" "def total")" == kkkkkkkkk ]] || fail "$n: the code is not drawn as code"
  assert_screen "$n" '^        return sum\(r\.qty for r in rows\)$'
}

for cols in 80 140; do
  other=$((cols == 80 ? 140 : 80))
  steps ":wait text END-OF-ANSWER
:wait text task done
:wait idle
z
:wait idle
:save-screen $T/s$cols.scr elements
:resize $other 60
:wait idle
:resize $cols 60
:wait idle
:save-screen $T/w$cols.scr elements
:quit"
  ui_run "$cols" 60 --grant "$G" "report on the fruit"
  check "s$cols" "$cols"
  [ "$(transcript "s$cols")" = "$(transcript "w$cols")" ] || {
    diff <(transcript "s$cols") <(transcript "w$cols") >&2; fail "$cols: the streamed layout differs from the whole one"; }
done
echo ok
