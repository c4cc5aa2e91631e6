# Word moves on the input line, as readline's emacs mode has them, in a real
# terminal (Alt arrives as Esc and then the key): M-b and M-f move to the
# start and end of a word, words being letters and digits; M-d deletes to
# the end of the word after the cursor and M-Backspace to the start of the
# one before it, stopping at punctuation where C-w goes to a blank; both
# keep what they deleted for C-y. Esc alone still leaves the line, and Esc
# with a key that is not an Alt binding is still Esc and that key. `?` lists
# the Alt keys, and `bind line <M-a> ...` binds another.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G" "$XDG_CONFIG_HOME/deskhand"
echo 'bind line <M-a> line-start' > "$XDG_CONFIG_HOME/deskhand/config"
W=60 H=24
ui_start $W $H --grant "$G"
ui_wait "1 grant"

# line_is TEXT COL: the input line (the last row) shows "> TEXT" and the
# terminal's cursor is at column COL of it.
line_is() {
  local want got cur deadline=$(( $(date +%s%N) / 1000000 + 8000 ))
  want=$(sed "s/ *\$//" <<<"> $1")
  while :; do
    got=$(ui_screen | sed -n "${H}p" | sed 's/ *$//'); cur=$(tm display -p '#{cursor_x} #{cursor_y}')
    [ "$got" = "$want" ] && [ "$cur" = "$2 $((H - 1))" ] && return 0
    [ "$(( $(date +%s%N) / 1000000 ))" -lt "$deadline" ] || break
    sleep 0.05
  done
  ui_screen >&2
  fail "input line: expected '$want' with the cursor at column $2, got '$got' at '$cur'"
}

# The cursor waits in the task line. Columns: "> " is two.
text="git commit -m fix-the_bug now"
ui_type "$text"
line_is "$text" 31
ui_keys M-b
line_is "$text" 28 # "now"
ui_keys M-b
line_is "$text" 24 # "bug": '_' parts words
ui_keys M-b M-b
line_is "$text" 16 # "fix", past "the"
ui_keys M-f
line_is "$text" 19 # the end of "fix"
ui_keys M-f
line_is "$text" 23 # the end of "the"
ui_keys M-d
line_is "git commit -m fix-the now" 23
ui_keys C-y
line_is "$text" 27
ui_keys M-b M-f
line_is "$text" 27
ui_keys M-BSpace
line_is "git commit -m fix-the_ now" 24
ui_keys C-e C-y
line_is "git commit -m fix-the_ nowbug" 31
ui_keys M-b M-BSpace
line_is "git commit -m fix-nowbug" 20
ui_keys C-y
line_is "git commit -m fix-the_ nowbug" 25
ui_keys C-w
line_is "git commit -m nowbug" 16
# A binding of the config: M-a to the start.
ui_keys M-a
line_is "git commit -m nowbug" 2
ui_keys M-f M-f
line_is "git commit -m nowbug" 12

# Esc alone leaves the line, its text kept; Esc and '?' sent together are
# still Esc, then the help (M-? is not bound).
ui_keys Escape
ui_wait "i: type a task"
ui_keys i
line_is "git commit -m nowbug" 12
ui_keys Escape ?
ui_wait "help: keys"
# help_has ACTION KEYS: searched for, the action's row lists those keys.
help_has() {
  ui_keys /; ui_type "$1"; ui_keys Enter
  ui_wait "$1"
  ui_screen | grep -qE -- "^  $2 +$1( |$)" || { ui_screen >&2; fail "help: no row '$2 $1'"; }
}
help_has line-word-left "<M-b>"
help_has line-word-right "<M-f>"
help_has line-kill-word-left "<M-Backspace>, <M-C-h>"
help_has line-kill-word-right "<M-d>"
help_has line-start "<Home>, <C-a>, <M-a>"
ui_keys q
ui_wait "i: type a task"
ui_keys q
ui_wait "EXIT=0"
echo ok
