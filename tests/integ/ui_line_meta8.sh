# Alt sent as the 8th bit (xterm with metaSendsEscape off, some SSH clients:
# Alt-b is the byte 0xE2) works as Esc and the key does, without a UTF-8
# locale: M-b, M-f, M-d and M-Backspace edit the input line, and a byte that
# is no Alt binding (0xE9, Alt-i) is dropped there without taking the keys
# behind it. In a UTF-8 locale bytes from 0x80 up are text: "â" (C3 A2, what
# such an xterm sends for Alt-b there) is typed, not M-b.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
W=60 H=24

# line_is TEXT COL: the input line (the last row) shows "> TEXT" and the
# terminal's cursor is at column COL of it.
line_is() {
  local want got cur deadline=$(( $(date +%s%N) / 1000000 + 8000 ))
  want=$(sed "s/ *\$//" <<<"> $1")
  while :; do
    got=$(ui_screen | sed -n "${H}p" | sed 's/ *$//'); cur=$(tm display -p ${UI_T:+-t "$UI_T"} '#{cursor_x} #{cursor_y}')
    [ "$got" = "$want" ] && [ "$cur" = "$2 $((H - 1))" ] && return 0
    [ "$(( $(date +%s%N) / 1000000 ))" -lt "$deadline" ] || break
    sleep 0.05
  done
  ui_screen >&2
  fail "input line: expected '$want' with the cursor at column $2, got '$got' at '$cur'"
}

export UI_T=c
UI_LC=C UI_TERM=xterm ui_start $W $H --grant "$G"
ui_wait "1 grant"
ui_type "git commit now"
line_is "git commit now" 16
ui_keys -H e2 # M-b
line_is "git commit now" 13
ui_keys -H e2 e2
line_is "git commit now" 2
ui_keys -H e6 # M-f
line_is "git commit now" 5
ui_keys -H e4 # M-d
line_is "git now" 5
ui_keys -H e9 # M-i: not bound
ui_type "x"
line_is "gitx now" 6
ui_keys C-e
ui_keys -H ff # M-Backspace
line_is "gitx " 7
ui_keys Escape
ui_wait "i: type a task"
ui_keys q
ui_wait "EXIT=0"

export UI_T=u
UI_LC=C.UTF-8 UI_TERM=xterm ui_start $W $H --grant "$G"
ui_wait "1 grant"
ui_type "ab"
ui_keys -H c3 a2
ui_type "c"
line_is "abâc" 6
ui_keys Escape
ui_wait "i: type a task"
ui_keys q
ui_wait "EXIT=0"
echo ok
