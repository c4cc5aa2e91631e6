# A timer's fire is a catch-up or not by the SPEC the timer runs, the one
# `schedule list` shows NEXT for, not by an `at` edited in the definition
# since `add` (docs/schedule.md: `add --force` reinstalls it): the timer's
# slot ten minutes ago, missed, is caught up, though the edited `at` has a
# slot a minute ago.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/lib_schedule.sh"
LOG=$XDG_STATE_HOME/deskhand/schedules/late.log
DEF=$XDG_CONFIG_HOME/deskhand/schedules/late
old=$(( $(date +%s) - 8 * 86400 ))

# (UTC: lib.sh)
DH_SCHEDULER=systemd "$DESKHAND" schedule add late --at "*-*-* $(date -u -d '-10 min' +'%H:%M')" \
  --grant "$G" --mode auto "digest" >"$T/out" 2>&1 || fail "add late: $(cat "$T/out")"
# the last run 8 days ago (the machine was off)
awk -F'\t' -v OFS='\t' -v t="$old" '{ $1 = t; print }' "$LOG" > "$LOG.new"
mv "$LOG.new" "$LOG"
sed -i "s/^at = .*/at = *-*-* $(date -u -d '-1 min' +'%H:%M')/" "$DEF"
assert_contains "$("$DESKHAND" schedule list --json | jq -r '.[0].error')" "is not installed"

ANTHROPIC_API_KEY=key-late fire_cmd "'$DESKHAND' schedule fire late" ||
  fail "fire late: $(cat "$T/fire.out")"
"$DESKHAND" wait "$(tail -1 "$T/fire.out")" >/dev/null 2>&1 || fail "the run of late failed"
kind=$("$DESKHAND" schedule list --json | jq -r '.[0].last_kind')
assert_eq "${kind:0:8}" "catch-up" "the timer's missed slot, the definition's at edited"
echo ok
