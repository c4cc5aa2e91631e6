# `schedule list`'s columns are as wide as their widest cell: a long AT
# ('*/15 9-17 * * mon-fri') keeps every row's NEXT under the header's, and
# NOTES are joined by "; " with nothing trailing.
. "$DH_TESTS/lib.sh"
G=$T/notes; mkdir -p "$G"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab DH_SCHEDULER=cron
"$DESKHAND" schedule add a-rather-long-schedule-name --at '*/15 9-17 * * mon-fri' --grant "$G" x \
  >"$T/out" 2>&1 || fail "add: $(cat "$T/out")"
"$DESKHAND" schedule add dg --at daily --grant "$G" x >"$T/out" 2>&1 || fail "add: $(cat "$T/out")"
"$DESKHAND" schedule pause dg >/dev/null || fail "pause"
"$DESKHAND" schedule list >"$T/list" || fail "list exited $?"
[ "$(wc -l <"$T/list")" = 3 ] || fail "expected a header and 2 rows: $(cat "$T/list")"
# each header word starts a column: every row has a non-blank there, after a blank
head=$(head -1 "$T/list")
for col in AT NEXT LAST KIND STATUS PENDING NOTES; do
  off=$(awk -v h="$head" -v c=" $col" 'BEGIN { print index(h, c) }')
  [ "$off" -gt 0 ] || fail "no $col in the header: $head"
  tail -n +2 "$T/list" | while IFS= read -r row; do
    [ "$col" = NOTES ] && [ ${#row} -le "$off" ] && continue # no notes
    [ "${row:$((off - 1)):1}" = " " ] && [ "${row:$off:1}" != " " ] ||
      fail "column $col (at $off) not aligned in: $(cat "$T/list")"
  done
done
assert_contains "$(grep '^dg ' "$T/list")" "paused; cron: no catch-up"
! grep -qE '(; | )$' "$T/list" || fail "a line ends in a separator or blank: $(cat -A "$T/list")"
echo ok
