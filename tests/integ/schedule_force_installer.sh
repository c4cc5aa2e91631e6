# `schedule add NAME --force` that installs NAME with the other scheduler
# (a crontab line replaced by a systemd timer, or the other way round)
# removes the old one: otherwise both would start runs, the old one at its
# old time. The crontab's other lines and other schedules' units stay.
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab
UNITS=$XDG_CONFIG_HOME/systemd/user
printf 'MAILTO=""\n5 4 * * * /usr/bin/true # mine\n' > "$T/crontab"

# cron, then systemd: the crontab line goes
DH_SCHEDULER=cron "$DESKHAND" schedule add digest --at '0 8 * * 1' --grant "$G" --mode auto \
  "Write digest.md" >"$T/out" 2>&1 || fail "add (cron): $(cat "$T/out")"
assert_file_contains "$T/crontab" "# deskhand-schedule digest"
DH_SCHEDULER=systemd "$DESKHAND" schedule add digest --force --at '0 9 * * 1' --grant "$G" \
  --mode auto "Write digest.md" >"$T/out" 2>&1 || fail "add --force (systemd): $(cat "$T/out")"
[ -L "$UNITS/timers.target.wants/deskhand-schedule-digest.timer" ] || fail "the timer is not enabled"
assert_not_contains "$(cat "$T/crontab")" "deskhand-schedule digest"
assert_contains "$(cat "$T/crontab")" "5 4 * * * /usr/bin/true # mine"
assert_contains "$(cat "$T/crontab")" 'MAILTO=""'
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0].installer')" systemd

# another schedule's timer, which must stay
DH_SCHEDULER=systemd "$DESKHAND" schedule add other --at daily --grant "$G" --mode auto \
  "Other" >"$T/out" 2>&1 || fail "add other: $(cat "$T/out")"

# systemd, then cron: the timer and its service go
DH_SCHEDULER=cron "$DESKHAND" schedule add digest --force --at '0 10 * * 1' --grant "$G" \
  --mode auto "Write digest.md" >"$T/out" 2>&1 || fail "add --force (cron): $(cat "$T/out")"
for f in deskhand-schedule-digest.timer deskhand-schedule-digest.service \
    timers.target.wants/deskhand-schedule-digest.timer; do
  [ ! -e "$UNITS/$f" ] || fail "add --force with cron left $f"
done
[ -L "$UNITS/timers.target.wants/deskhand-schedule-other.timer" ] || fail "another schedule's timer went"
assert_eq "$(grep -c 'deskhand-schedule digest$' "$T/crontab")" 1
assert_contains "$(cat "$T/crontab")" "0 10 * * 1 "
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[] | select(.name == "digest") | .installer')" cron
echo ok
