# A bad value is named where it came from: `schedule add`'s option (--mode,
# --max-cost, --model, exit 2, nothing installed), or the definition's
# file:line when it was edited there (mode, max_cost, a relative grant).
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab DH_SCHEDULER=cron
DEFS=$XDG_CONFIG_HOME/deskhand/schedules

refused() { # MSG ARGS...
  local msg=$1 rc=0; shift
  "$DESKHAND" schedule add bad --at daily --grant "$G" "$@" x >"$T/out" 2>&1 || rc=$?
  assert_eq "$rc" 2 "schedule add $*: $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" "deskhand schedule add: $msg"
  assert_not_contains "$(cat "$T/out")" "$DEFS/bad"
  [ ! -e "$DEFS/bad" ] || fail "schedule add $* left $DEFS/bad"
}
refused "--mode 'bogus': expected one of ask|auto" --mode bogus
refused "--max-cost 'abc': expected a positive number of USD" --max-cost abc
refused "--model: 'model' has no value" --model ''

# edited definitions: file:line of the bad value
"$DESKHAND" schedule add dg --at daily --grant "$G" x >"$T/out" 2>&1 || fail "add: $(cat "$T/out")"
cp "$DEFS/dg" "$T/dg.orig"
edited() { # SED-EXPR MSG-AFTER-FILE:LINE KEY-REGEX
  cp "$T/dg.orig" "$DEFS/dg"
  sed -i "$1" "$DEFS/dg"
  local line rc=0
  line=$(grep -n "$3" "$DEFS/dg" | tail -1 | cut -d: -f1)
  "$DESKHAND" schedule run dg >"$T/out" 2>&1 || rc=$?
  assert_eq "$rc" 1 "run with $1: $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" "$DEFS/dg:$line: $2"
  assert_contains "$("$DESKHAND" schedule list)" "$DEFS/dg:$line: $2"
}
edited 's/^mode = .*/mode = whatever/' "mode 'whatever': expected one of ask|auto" '^mode = '
edited '$a max_cost = lots' "max_cost 'lots': expected a positive number of USD" '^max_cost = '
edited '$a grant = notes' "grant 'notes' is not an absolute path" '^grant = notes'
echo ok
