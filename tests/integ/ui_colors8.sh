# Muted text (grey: "(no plan yet)", quotes, tool call details) on 8-colour
# terminals. The default theme's grey is bright-black, and below 16 colours
# it was drawn bold black: nothing at all on a black background where bold
# does not brighten, and bold where it does. It is now the terminal's own
# colour drawn faint (SGR 2), read here with tmux capture-pane -e, for
# TERM=xterm, screen and linux. With NO_COLOR it is plain (the mono column:
# bold, reverse and underline only), never black.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"

# sgr_before TEXT: the SGR parameters on TEXT's row before TEXT, e.g. "2;39;49".
sgr_before() {
  local row
  row=$(tm capture-pane -p -e ${UI_T:+-t "$UI_T"} | grep -F -- "$1" | head -1)
  row=${row%%"$1"*}
  grep -o $'\033\\[[0-9;]*m' <<<"$row" | sed 's/^\x1b\[//; s/m$//' | paste -sd';'
}
# has_param LIST N: N is one of the ';'-separated SGR parameters in LIST.
has_param() { [[ ";$1;" == *";$2;"* ]]; }

for term in xterm screen linux; do
  export UI_T=$term
  # --no-mouse: on TERM=linux curses would load gpm's library for the
  # mouse, whose allocations LeakSanitizer reports.
  UI_TERM=$term UI_ENV="NO_COLOR=" ui_start 80 24 --no-mouse --grant "$G"
  ui_wait "(no plan yet)"
  s=$(sgr_before "(no plan yet)")
  echo "$term: $s"
  has_param "$s" 2 || fail "TERM=$term: muted text not faint (SGR $s)"
  ! has_param "$s" 30 || fail "TERM=$term: muted text in black (SGR $s)"
  ! has_param "$s" 1 || fail "TERM=$term: muted text bold (SGR $s)"
  ui_keys Escape
  ui_wait "i: type a task"
  ui_keys q
  ui_wait "EXIT=0"
done

export UI_T=nocolor
UI_TERM=xterm UI_ENV="NO_COLOR=1" ui_start 80 24 --grant "$G"
ui_wait "(no plan yet)"
s=$(sgr_before "(no plan yet)")
echo "NO_COLOR: $s"
for p in 1 30 2; do ! has_param "$s" $p || fail "NO_COLOR: muted text has SGR $p ($s)"; done
ui_keys Escape
ui_wait "i: type a task"
ui_keys q
ui_wait "EXIT=0"
echo ok
