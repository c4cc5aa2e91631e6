# A definition deleted by hand while its crontab line or timer stays: each
# fire (the installed command itself) fails naming the missing file and how
# to remove what is left, on stderr (cron mails it, the journal keeps it)
# and in the schedule's log; `schedule list` shows the entry ("definition
# missing", the SPEC installed, its next run); `schedule remove NAME` removes
# the line or the timer. A fire of a name with nothing installed writes no log.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/lib_schedule.sh"
DEFS=$XDG_CONFIG_HOME/deskhand/schedules
UNITS=$XDG_CONFIG_HOME/systemd/user

DH_SCHEDULER=cron "$DESKHAND" schedule add digest --at daily --grant "$G" "x" >"$T/out" 2>&1 \
  || fail "add (cron): $(cat "$T/out")"
DH_SCHEDULER=systemd "$DESKHAND" schedule add sd --at '0 8 * * 1' --grant "$G" "x" \
  >"$T/out" 2>&1 || fail "add (systemd): $(cat "$T/out")"
rm "$DEFS/digest" "$DEFS/sd"

# the crontab line's command, as cron runs it
rc=0; fire_cmd "$(cron_cmd digest)" || rc=$?
assert_eq "$rc" 2 "fire: $(cat "$T/fire.out")"
want="definition missing: $DEFS/digest is gone but the crontab line still runs"
want="$want 'schedule fire digest'"
assert_contains "$(cat "$T/fire.out")" "$want"
assert_contains "$(cat "$T/fire.out")" "remove it with 'deskhand schedule remove digest'"
assert_contains "$("$DESKHAND" schedule log digest)" "$want"
# the timer's service
exec=$(sed -n 's/^ExecStart=//p' "$UNITS/deskhand-schedule-sd.service")
rc=0; fire_cmd "$exec" || rc=$?
assert_eq "$rc" 2 "fire (systemd): $(cat "$T/fire.out")"
assert_contains "$(cat "$T/fire.out")" \
  "definition missing: $DEFS/sd is gone but the timer still runs 'schedule fire sd'"
assert_contains "$("$DESKHAND" schedule log sd)" "deskhand schedule remove sd"

out=$("$DESKHAND" schedule list) || fail "list exited $?"
row() { grep "^$1 " <<<"$out" || fail "no row for $1 in: $out"; }
assert_contains "$(row digest)" "$want"
assert_contains "$(row digest)" "0 0 * * *"
assert_contains "$(row sd)" "definition missing: $DEFS/sd is gone but the timer"
j=$("$DESKHAND" schedule list --json)
assert_eq "$(jq -r '.[] | select(.name == "sd") | .at' <<<"$j")" "Mon *-*-* 08:00:00"
[ "$(jq -r '.[] | select(.name == "sd") | .next' <<<"$j")" != null ] || fail "no next: $j"

for n in digest sd; do
  "$DESKHAND" schedule remove $n >"$T/out" 2>&1 || fail "remove $n: $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" "schedule $n removed"
done
assert_not_contains "$(cat "$T/crontab")" "deskhand-schedule digest"
[ ! -e "$UNITS/deskhand-schedule-sd.timer" ] || fail "remove left the timer"
assert_contains "$("$DESKHAND" schedule list)" "no schedule"

# nothing installed: a typo is only a usage error, and leaves no log
rc=0; "$DESKHAND" schedule fire nosuch >"$T/out" 2>&1 || rc=$?
assert_eq "$rc" 2
assert_contains "$(cat "$T/out")" "no schedule 'nosuch'"
rc=0; "$DESKHAND" schedule log nosuch >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 2 "a fire of an unknown name made a log"
echo ok
