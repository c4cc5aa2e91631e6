# `schedule remove` (and pause) of a schedule installed as a crontab line,
# with no crontab on PATH to edit the table: it says so and exits 1, and
# nothing changes (the definition stays, as the line that runs it does), not
# "removed" with the line left to fail at every fire. With crontab back on
# PATH the same remove works; a systemd schedule needs no crontab.
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
mkdir -p "$T/bin" "$T/nocron"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab
DEFS=$XDG_CONFIG_HOME/deskhand/schedules

DH_SCHEDULER=cron "$DESKHAND" schedule add digest --at daily --grant "$G" "x" >"$T/out" 2>&1 \
  || fail "add: $(cat "$T/out")"
line=$(cat "$T/crontab")
assert_contains "$line" "# deskhand-schedule digest"

for verb in remove pause; do
  rc=0; PATH=$T/nocron "$DESKHAND" schedule $verb digest >"$T/out" 2>&1 || rc=$?
  assert_eq "$rc" 1 "schedule $verb without crontab: $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" \
    "deskhand schedule $verb: schedule 'digest' is a crontab line and crontab is not on PATH"
  assert_contains "$(cat "$T/out")" "nothing changed"
  assert_not_contains "$(cat "$T/out")" "removed"
  assert_eq "$(cat "$T/crontab")" "$line" "the crontab after $verb"
  [ -f "$DEFS/digest" ] || fail "schedule $verb without crontab deleted the definition"
  assert_file_contains "$DEFS/digest" "paused = no"
done
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[].name')" digest

# crontab back on PATH: the line and the definition go
"$DESKHAND" schedule remove digest >"$T/out" 2>&1 || fail "remove: $(cat "$T/out")"
assert_contains "$(cat "$T/out")" "schedule digest removed"
assert_not_contains "$(cat "$T/crontab")" "deskhand-schedule digest"
[ ! -e "$DEFS/digest" ] || fail "remove left the definition"

# a systemd schedule is removed without crontab
DH_SCHEDULER=systemd "$DESKHAND" schedule add sd --at daily --grant "$G" "x" >"$T/out" 2>&1 \
  || fail "add (systemd): $(cat "$T/out")"
PATH=$T/nocron "$DESKHAND" schedule remove sd >"$T/out" 2>&1 \
  || fail "remove (systemd): $(cat "$T/out")"
[ ! -e "$DEFS/sd" ] || fail "remove (systemd) left the definition"
