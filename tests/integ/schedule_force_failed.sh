# A `schedule add NAME --force` that cannot install its replacement (a
# SPEC the chosen scheduler cannot hold) changes nothing: NAME's old
# definition stays as it was, with its installed crontab line or timer,
# and `schedule list` still shows it; the error says so.
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab
DEFS=$XDG_CONFIG_HOME/deskhand/schedules
UNITS=$XDG_CONFIG_HOME/systemd/user

# a crontab line, replaced by a timer whose SPEC systemd cannot say
DH_SCHEDULER=cron "$DESKHAND" schedule add keep --at '0 8 * * 1' --grant "$G" --mode auto \
  "Write digest.md" >"$T/out" 2>&1 || fail "add: $(cat "$T/out")"
cp "$DEFS/keep" "$T/keep.orig"; cp "$T/crontab" "$T/crontab.orig"
rc=0; DH_SCHEDULER=systemd "$DESKHAND" schedule add keep --force --at '0 8 1 * 1' --grant "$G" \
  "Something else" >"$T/out" 2>&1 || rc=$?
assert_eq "$rc" 2 "add --force with a SPEC systemd cannot hold: $(cat "$T/out")"
assert_contains "$(cat "$T/out")" "has no systemd calendar form"
[ -f "$DEFS/keep" ] || fail "the failed add --force removed the definition"
assert_contains "$(cat "$T/out")" "schedule 'keep' is left as it was"
cmp -s "$DEFS/keep" "$T/keep.orig" || fail "the failed add --force changed the definition: $(cat "$DEFS/keep")"
cmp -s "$T/crontab" "$T/crontab.orig" || fail "the failed add --force changed the crontab"
[ ! -e "$UNITS/deskhand-schedule-keep.timer" ] || fail "the failed add --force left a timer"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0] | "\(.name) \(.at) \(.error) \(.installer)"')" \
  "keep 0 8 * * 1 null cron"

# a new schedule that cannot be installed leaves no definition
rc=0; DH_SCHEDULER=systemd "$DESKHAND" schedule add fresh --at '0 8 1 * 1' --grant "$G" \
  "x" >"$T/out" 2>&1 || rc=$?
assert_eq "$rc" 2 "add with a SPEC systemd cannot hold: $(cat "$T/out")"
[ ! -e "$DEFS/fresh" ] || fail "a failed add left its definition"
assert_not_contains "$(cat "$T/out")" "left as it was"
echo ok
