# `schedule add` refuses a SPEC that no date matches (31 February), cron
# line or calendar expression, exit 2 and nothing installed; 29 February
# (every four years) and 29 February on a Monday (every 28 years) are kept.
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab DH_SCHEDULER=cron
DEFS=$XDG_CONFIG_HOME/deskhand/schedules

for at in '0 8 31 2 *' '0 8 30 2 *' '*/5 * 31 4,6,9,11 *' '*-02-30 08:00'; do
  rc=0; "$DESKHAND" schedule add feb --at "$at" --grant "$G" x >"$T/out" 2>&1 || rc=$?
  assert_eq "$rc" 2 "add --at '$at': $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" "--at '$at' never fires"
  [ ! -e "$DEFS/feb" ] || fail "add --at '$at' left $DEFS/feb"
  [ ! -s "$T/crontab" ] || fail "add --at '$at' installed: $(cat "$T/crontab")"
done
for at in '0 8 29 2 *' 'Mon *-02-29 08:00'; do
  "$DESKHAND" schedule add leap --at "$at" --grant "$G" x >"$T/out" 2>&1 || fail "add --at '$at': $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" "next run 20"
  "$DESKHAND" schedule remove leap >/dev/null || fail "remove"
done
echo ok
