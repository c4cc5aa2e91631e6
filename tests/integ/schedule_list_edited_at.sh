# An `at` edited in the definition after `add` is not what the installed
# timer or crontab line runs (docs/schedule.md: `add --force` reinstalls
# it). `schedule list` says so in NOTES (and --json "error"), naming
# file:line, both SPECs and the fix, and NEXT is when the installed one
# runs. An edit to an equal SPEC written another way is no change.
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab
DEFS=$XDG_CONFIG_HOME/deskhand/schedules
DH_SCHEDULER=cron "$DESKHAND" schedule add cr --at '0 8 * * 1' --grant "$G" x >"$T/out" 2>&1 \
  || fail "add cr: $(cat "$T/out")"
DH_SCHEDULER=systemd "$DESKHAND" schedule add sd --at 'Mon *-*-* 08:00' --grant "$G" x \
  >"$T/out" 2>&1 || fail "add sd: $(cat "$T/out")"
# the next Monday 08:00 (TZ=UTC), as the installed SPECs say
want=$("$DESKHAND" schedule list --json | jq -r '.[] | select(.name == "cr") | .next')
[ "$want" != null ] || fail "no next run before the edit"
sed -i 's/^at = .*/at = 30 9 * * */' "$DEFS/cr" "$DEFS/sd"
line=$(grep -n '^at = ' "$DEFS/cr" | cut -d: -f1)
j=$("$DESKHAND" schedule list --json)
assert_eq "$(jq -r '.[] | select(.name == "cr") | .error' <<<"$j")" \
  "$DEFS/cr:$line: at '30 9 * * *' is not installed: the crontab line runs at '0 8 * * 1' until 'deskhand schedule add cr --force ...' reinstalls it"
assert_eq "$(jq -r '.[] | select(.name == "sd") | .error' <<<"$j")" \
  "$DEFS/sd:$line: at '30 9 * * *' is not installed: the timer runs at 'Mon *-*-* 08:00' until 'deskhand schedule add sd --force ...' reinstalls it"
assert_eq "$(jq -r '.[] | select(.name == "cr") | .next' <<<"$j")" "$want"
assert_eq "$(jq -r '.[] | select(.name == "sd") | .next' <<<"$j")" "$want"
assert_contains "$("$DESKHAND" schedule list | grep '^cr ')" "at '30 9 * * *' is not installed"
# the same times written another way: no note
sed -i 's/^at = .*/at = Mon *-*-* 08:00/' "$DEFS/cr"
sed -i 's/^at = .*/at = 0 8 * * mon/' "$DEFS/sd"
j=$("$DESKHAND" schedule list --json)
assert_eq "$(jq -r '[.[] | .error] | map(tostring) | join(" ")' <<<"$j")" "null null"
# reinstalled: no note, NEXT the new SPEC's
sed -i 's/^at = .*/at = 30 9 * * */' "$DEFS/cr"
DH_SCHEDULER=cron "$DESKHAND" schedule add cr --force --at '30 9 * * *' --grant "$G" x \
  >"$T/out" 2>&1 || fail "add --force: $(cat "$T/out")"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[] | select(.name == "cr") | .error')" null
echo ok
