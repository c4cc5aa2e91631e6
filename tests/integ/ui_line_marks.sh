# A line wider than the window scrolls sideways; where text is hidden a
# mark takes the edge's column: at the left once the line's start is out of
# sight, at the right while text goes on past it ("…" both, "<" and ">"
# without a UTF-8 locale). A line that fits has none, and the cursor never
# sits on a mark.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
W=40 H=12
long=$(for i in $(seq 10 24); do printf 'w%02d ' "$i"; done) # 60 columns

# line_is TEXT COL: the input line shows "> TEXT" and the cursor is at COL.
line_is() {
  local want got cur deadline=$(( $(date +%s%N) / 1000000 + 8000 ))
  want=$(sed "s/ *\$//" <<<"> $1")
  while :; do
    got=$(ui_screen | sed -n "${H}p" | sed 's/ *$//')
    cur=$(tm display -p ${UI_T:+-t "$UI_T"} '#{cursor_x} #{cursor_y}')
    [ "$got" = "$want" ] && [ "$cur" = "$2 $((H - 1))" ] && return 0
    [ "$(( $(date +%s%N) / 1000000 ))" -lt "$deadline" ] || break
    sleep 0.05
  done
  ui_screen >&2
  fail "input line: expected '$want' with the cursor at column $2, got '$got' at '$cur'"
}

# check L R: the marks L (left) and R (right) where the line is cut.
check() {
  local l=$1 r=$2 i
  ui_start $W $H --grant "$G"
  ui_wait "1 grant"
  ui_type "short"
  line_is "short" 7
  ui_keys C-u
  ui_type "$long"
  # The end: a mark, then the last 35 columns and the cursor's.
  line_is "$l$(cut -c26-60 <<<"$long")" 38
  # The start: 36 columns and a mark in the last one (the window's last
  # column stays blank).
  ui_keys Home
  line_is "$(cut -c1-36 <<<"$long")$r" 2
  # The middle: a mark each side.
  for i in $(seq 1 40); do ui_keys Right; done
  line_is "$l$(cut -c7-41 <<<"$long")$r" 37
  # Back to where the start is shown: no mark on the left.
  ui_keys C-a C-f
  line_is "$(cut -c1-36 <<<"$long")$r" 3
  # Cut to what fits: no marks at all.
  ui_keys C-e
  for i in $(seq 1 25); do ui_keys BSpace; done
  line_is "$(cut -c1-35 <<<"$long")" 37
  ui_keys Escape
  ui_wait "i: type a task"
  ui_keys q
  ui_wait "EXIT=0"
}

UI_T=utf8 check "…" "…"
UI_T=ascii UI_LC=C check "<" ">"
echo ok
