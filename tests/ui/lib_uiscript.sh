# In-process screen tests (STYLE.md §3.19) for tests/integ/uiscript_*.sh
# (source after lib.sh). The workbench runs with DH_NO_DISPLAY=1 (no tty)
# and DH_SCRIPT (see src/ui/script.h); screens land in $T/*.scr.
#   steps 'LINES'           write the script ($T/steps)
#   ui_run COLS ROWS ARGS…  run deskhand to the end of the script; UI_TERM,
#                           UI_ENV (extra VAR=VALUE words), UI_RC (exit
#                           status expected, 0) apply
#   screen NAME             the text part of $T/NAME.scr
#   elements NAME           its element layer;  styles NAME: its style lines
#   assert_screen NAME ERE… every ERE matches some row of the screen
steps() { printf '%s\n' "$1" >"$T/steps"; }
ui_run() {
  local cols=$1 rows=$2 rc=0; shift 2
  # shellcheck disable=SC2086
  env DH_NO_DISPLAY=1 DH_SCRIPT="$T/steps" COLUMNS="$cols" LINES="$rows" \
    TERM="${UI_TERM:-xterm-256color}" ESCDELAY=25 DH_SCRIPT_TIMEOUT_MS="${UI_TIMEOUT_MS:-10000}" \
    ${UI_ENV:-} "$DESKHAND" "$@" 2>"$T/ui.err" || rc=$?
  [ "${rc:-0}" = "${UI_RC:-0}" ] || { cat "$T/ui.err" >&2; fail "deskhand exited ${rc:-0}, expected ${UI_RC:-0}"; }
  grep -q 'script:' "$T/ui.err" && { cat "$T/ui.err" >&2; fail "the script failed"; }
  return 0
}
screen() { [ -f "$T/$1.scr" ] || fail "no screen $1"; sed '/^--$/,$d' "$T/$1.scr"; }
elements() { sed -n '/^--$/,/^==$/p' "$T/$1.scr" | sed '1d;$d'; }
styles() { sed -n '/^==$/,$p' "$T/$1.scr" | sed 1d; }
assert_screen() {
  local name=$1 s re; shift
  s=$(screen "$name")
  for re in "$@"; do
    grep -qE -- "$re" <<<"$s" || { echo "$s" >&2; fail "screen $name: no row matches '$re'"; }
  done
}
