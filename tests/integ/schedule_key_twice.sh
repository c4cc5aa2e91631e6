# A definition with a key given twice (an `at` added below the first, a
# second `mode`) is refused, not read as its last line: the fire fails and
# logs it, and `schedule list` says it in NOTES (and --json "error"),
# naming file:line of the second and the line of the first. `grant` is one
# per line and may repeat.
. "$DH_TESTS/lib.sh"
G=$T/notes; H=$T/more; mkdir -p "$G" "$H"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab DH_SCHEDULER=cron
DEFS=$XDG_CONFIG_HOME/deskhand/schedules
for n in at mode grants; do
  "$DESKHAND" schedule add $n --at daily --grant "$G" "x" >"$T/out" 2>&1 \
    || fail "add $n: $(cat "$T/out")"
done
first=$(grep -n '^at = ' "$DEFS/at" | cut -d: -f1)
echo 'at = 0 9 * * *' >> "$DEFS/at"
second=$(wc -l < "$DEFS/at")
mfirst=$(grep -n '^mode = ' "$DEFS/mode" | cut -d: -f1)
echo 'mode = ask' >> "$DEFS/mode"
msecond=$(wc -l < "$DEFS/mode")
echo "grant = $H" >> "$DEFS/grants"

rc=0; "$DESKHAND" schedule fire at >"$T/out" 2>&1 || rc=$?
assert_eq "$rc" 1 "fire: $(cat "$T/out")"
assert_contains "$(cat "$T/out")" "$DEFS/at:$second: 'at' is given twice (first on line $first)"
assert_contains "$("$DESKHAND" schedule log at)" "'at' is given twice (first on line $first)"

out=$("$DESKHAND" schedule list) || fail "list exited $?"
row() { grep "^$1 " <<<"$out" || fail "no row for $1 in: $out"; }
assert_contains "$(row at)" "$DEFS/at:$second: 'at' is given twice (first on line $first)"
assert_contains "$(row mode)" "$DEFS/mode:$msecond: 'mode' is given twice (first on line $mfirst)"
assert_not_contains "$(row grants)" "given twice"
j=$("$DESKHAND" schedule list --json)
assert_contains "$(jq -r '.[] | select(.name == "mode") | .error' <<<"$j")" \
  "$DEFS/mode:$msecond: 'mode' is given twice (first on line $mfirst)"
assert_eq "$(jq -r '.[] | select(.name == "grants") | .error' <<<"$j")" null
echo ok
