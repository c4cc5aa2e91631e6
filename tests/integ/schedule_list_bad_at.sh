# A definition whose `at` was edited into something that cannot be read has
# no next run: `schedule list` says why in NOTES (and --json in "error"),
# naming the file:line and the value, paused or not; a good one has none.
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab DH_SCHEDULER=cron
DEFS=$XDG_CONFIG_HOME/deskhand/schedules
for n in cal cron good; do
  "$DESKHAND" schedule add $n --at daily --grant "$G" "x" >"$T/out" 2>&1 || fail "add $n: $(cat "$T/out")"
done
"$DESKHAND" schedule pause cron >/dev/null || fail "pause"
sed -i 's/^at = .*/at = bogus spec/' "$DEFS/cal"
sed -i 's/^at = .*/at = 0 8 * 13 */' "$DEFS/cron"
line=$(grep -n '^at = ' "$DEFS/cal" | cut -d: -f1)
[ -n "$line" ] || fail "no at line in $DEFS/cal"

out=$("$DESKHAND" schedule list) || fail "list exited $?"
row() { grep "^$1 " <<<"$out" || fail "no row for $1 in: $out"; }
assert_contains "$(row cal)" "$DEFS/cal:$line: at 'bogus spec': "
assert_contains "$(row cron)" "$DEFS/cron:$line: at '0 8 * 13 *': bad month field '13'"
assert_not_contains "$(row good)" "$DEFS/good"
j=$("$DESKHAND" schedule list --json)
assert_contains "$(jq -r '.[] | select(.name == "cal") | .error' <<<"$j")" "$DEFS/cal:$line: at 'bogus spec'"
assert_eq "$(jq -r '.[] | select(.name == "cal") | .next' <<<"$j")" null
assert_eq "$(jq -r '.[] | select(.name == "good") | .error' <<<"$j")" null
echo ok
