# A schedule that does not exist is refused by every subcommand that takes
# NAME with the same message and exit status 2, `log` included; the log of
# a removed schedule is still shown.
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab DH_SCHEDULER=cron
DEF=$XDG_CONFIG_HOME/deskhand/schedules/nosuch
MSG="no schedule 'nosuch' ($DEF): see 'deskhand schedule list'"

for c in log "log --json" run pause resume remove fire; do
  rc=0; "$DESKHAND" schedule $c nosuch >"$T/out" 2>"$T/err" || rc=$?
  assert_eq "$rc" 2 "schedule $c nosuch: $(cat "$T/out" "$T/err")"
  assert_contains "$(cat "$T/err")" "$MSG"
  [ ! -s "$T/out" ] || fail "schedule $c nosuch printed on stdout: $(cat "$T/out")"
done

# a removed schedule's log stays readable
"$DESKHAND" schedule add gone --at daily --grant "$G" "x" >/dev/null || fail "add"
"$DESKHAND" schedule remove gone >/dev/null || fail "remove"
out=$("$DESKHAND" schedule log gone) || fail "log of a removed schedule exited $?"
assert_contains "$out" "removed"
assert_contains "$out" "added"
echo ok
