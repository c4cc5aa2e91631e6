# The input line edits as readline's emacs mode does, in a real terminal:
# Left/Right and C-b/C-f move by character (a wide one takes two columns),
# Home/End and C-a/C-e go to the start/end, typed text goes in at the
# cursor, Backspace, Del and C-d delete, C-k, C-u and C-w kill and C-y puts
# the kill back; a line wider than the window scrolls sideways with the
# cursor. Home/End move the transcript while the line is empty, the line once
# text is typed; Esc leaves the line (its text kept) and Home is the
# transcript's again. `?` lists the line's keys.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
items=$(for i in $(seq 1 40); do printf -- '- item %02d\\n' "$i"; done)
cat > "$T/script.json" <<JSON
{"turns": [{"text": "Forty items:\\n\\n$items", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
W=60 H=24
ui_start $W $H --grant "$G" "list"
ui_wait "item 40"
ui_wait "task done"

row() { ui_screen | sed -n "${1}p"; }
# line_is TEXT COL: the input line (the last row) shows "> TEXT" and the
# terminal's cursor is at column COL of it.
line_is() {
  local want got cur deadline=$(( $(date +%s%N) / 1000000 + 8000 ))
  want=$(sed "s/ *\$//" <<<"> $1")
  while :; do
    got=$(row $H | sed 's/ *$//'); cur=$(tm display -p '#{cursor_x} #{cursor_y}')
    [ "$got" = "$want" ] && [ "$cur" = "$2 $((H - 1))" ] && return 0
    [ "$(( $(date +%s%N) / 1000000 ))" -lt "$deadline" ] || break
    sleep 0.05
  done
  ui_screen >&2
  fail "input line: expected '$want' with the cursor at column $2, got '$got' at '$cur'"
}

# An empty line: Home and End scroll the transcript.
ui_keys i
line_is "" 2
ui_keys Home
ui_wait "❯ list"
assert_not_contains "$(ui_screen)" "item 40"
ui_keys End
ui_wait "item 40"

# Typed text: Home/End are the line's; the transcript stays where it is.
ui_type "hello world"
line_is "hello world" 13
ui_keys Home
line_is "hello world" 2
assert_contains "$(ui_screen)" "item 40"
assert_not_contains "$(ui_screen)" "❯ list"
ui_type "A"
line_is "Ahello world" 3
ui_keys End; ui_type "Z"
line_is "Ahello worldZ" 15
ui_keys C-a C-f C-f; ui_type "-"
line_is "Ah-ello worldZ" 5
ui_keys Left Left C-b
line_is "Ah-ello worldZ" 2
ui_keys Right C-f
line_is "Ah-ello worldZ" 4
ui_keys BSpace
line_is "A-ello worldZ" 3
ui_keys DC
line_is "Aello worldZ" 3
ui_keys C-d
line_is "Allo worldZ" 3
ui_keys C-e BSpace
line_is "Allo world" 12
ui_keys C-w
line_is "Allo " 7
ui_keys C-y C-y
line_is "Allo worldworld" 17
ui_keys C-a C-f C-f C-f C-f C-k
line_is "Allo" 6
ui_keys C-b C-u
line_is "o" 2
ui_keys C-y
line_is "Allo" 5

# Wide characters: two columns each, the cursor steps over them whole.
ui_keys C-e C-u
ui_type "日本語abc"
line_is "日本語abc" 11
ui_keys Left Left Left Left
line_is "日本語abc" 6
ui_type "Z"
line_is "日本Z語abc" 7
ui_keys BSpace C-b
line_is "日本語abc" 4
ui_keys DC
line_is "日語abc" 4
ui_keys C-f C-d
line_is "日語bc" 6

# A line wider than the window: its end shows with the cursor; Home shows
# its start (a mark where the rest is cut off: ui_line_marks.sh), End its
# end again; moving keeps the cursor on the screen.
ui_keys C-e C-u
long=$(for i in $(seq 10 34); do printf 'w%02d ' "$i"; done) # 100 columns
ui_type "$long"
got=$(row $H)
assert_contains "$got" "w33 w34"
assert_not_contains "$got" "w10"
[ "$(tm display -p '#{cursor_x}')" -le $((W - 1)) ] || fail "the cursor left the screen"
ui_keys Home
line_is "$(cut -c1-56 <<<"$long")…" 2
ui_keys End
ui_wait "w33 w34"
ui_keys Home
for _ in $(seq 1 70); do ui_keys Right; done
ui_wait "w26 w27"
x=$(tm display -p '#{cursor_x}')
[ "$x" -ge 2 ] && [ "$x" -le $((W - 1)) ] || fail "cursor at $x after moving right"
assert_not_contains "$(row $H)" "w10"

# Esc leaves the line, its text kept: Home scrolls the transcript again.
ui_keys C-e C-u; ui_type "keep me"
line_is "keep me" 9
ui_keys Escape
ui_wait "i: type a task"
ui_keys Home
ui_wait "❯ list"
ui_keys i
line_is "keep me" 9

# The help lists the line's keys (from the keymap's line context).
ui_keys Escape ?
ui_wait "help: keys"
ui_keys /; ui_type "line-start"; ui_keys Enter
ui_wait "Input line"
s=$(ui_screen)
assert_contains "$s" "<Home>, <C-a>"
assert_contains "$s" "line-start"
ui_keys q
ui_keys q
ui_wait "EXIT=0"
echo ok
