# The definition keeps a value without its surrounding blanks, which does
# not matter to a task, but a TASK of blanks only would be none and every
# fire of it would fail: `schedule add` refuses it (exit 2, nothing
# installed); a task with blanks around words is kept.
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab DH_SCHEDULER=cron
DEFS=$XDG_CONFIG_HOME/deskhand/schedules
for task in "   " "$(printf ' \t ')"; do
  rc=0; "$DESKHAND" schedule add blank --at daily --grant "$G" "$task" >"$T/out" 2>&1 || rc=$?
  assert_eq "$rc" 2 "add with a blank task: $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" "deskhand schedule add: TASK is blank"
  [ ! -e "$DEFS/blank" ] || fail "a blank task left $DEFS/blank"
  [ ! -s "$T/crontab" ] || fail "a blank task was installed: $(cat "$T/crontab")"
done
"$DESKHAND" schedule add spaced --at daily --grant "$G" "  write the digest  " >"$T/out" 2>&1 ||
  fail "add: $(cat "$T/out")"
j=$("$DESKHAND" schedule list --json)
assert_eq "$(jq -r '.[] | select(.name == "spaced") | .error' <<<"$j")" null
echo ok
