# Which fires of a schedule are catch-ups. A systemd timer's fire long after
# the slot its run stands for, with no slot of its own just before it (the
# machine was off; Persistent=true fires at boot), is recorded as a
# catch-up. Not so: a fire at its own slot after a missed or failed one (a
# fire that failed to start its run is a fire at its slot), and any fire of
# a crontab line (cron has no catch-up: its fires are at their slots).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/lib_schedule.sh"
LOGS=$XDG_STATE_HOME/deskhand/schedules
old=$(( $(date +%s) - 8 * 86400 ))

# set_back NAME: every entry of NAME's log 8 days old (the machine was off)
set_back() {
  awk -F'\t' -v OFS='\t' -v t="$old" '{ $1 = t; print }' "$LOGS/$1.log" > "$LOGS/$1.log.new"
  mv "$LOGS/$1.log.new" "$LOGS/$1.log"
}
# fire_kind NAME KEY: the timer's fire of NAME (its run waited for); prints
# the kind `schedule list` gives its last run.
fire_kind() {
  ANTHROPIC_API_KEY=$2 fire_cmd "'$DESKHAND' schedule fire $1" ||
    fail "fire $1: $(cat "$T/fire.out")"
  "$DESKHAND" wait "$(tail -1 "$T/fire.out")" >/dev/null 2>&1 || fail "the run of $1 failed"
  "$DESKHAND" schedule list --json | jq -r --arg n "$1" '.[] | select(.name == $n) | .last_kind'
}
# a slot ten minutes ago (UTC: lib.sh)
ago=$(date -u -d '-10 min' +'%H:%M')

# 1. systemd, the last run 8 days ago, the slot ten minutes ago: a catch-up
DH_SCHEDULER=systemd "$DESKHAND" schedule add late --at "*-*-* $ago" --grant "$G" --mode auto \
  "digest" >"$T/out" 2>&1 || fail "add late: $(cat "$T/out")"
set_back late
kind=$(fire_kind late key-late)
assert_eq "${kind:0:8}" "catch-up" "a timer's fire long after its slot"

# 2. systemd, the last run 8 days ago and a failed fire since, the slot this
# minute: the fire at its own slot is on time
cur=$(date -u +'%H:%M')
DH_SCHEDULER=systemd "$DESKHAND" schedule add ontime --at "*-*-* $cur" --grant "$G" --mode auto \
  "digest" >"$T/out" 2>&1 || fail "add ontime: $(cat "$T/out")"
printf '%s\trun\t20261130-080000-0000\ttimer\n%s\tfail\t-\tgrant gone\n' \
  "$old" "$(( old + 86400 ))" >> "$LOGS/ontime.log"
set_back ontime
assert_eq "$(fire_kind ontime key-ontime)" "timer" \
  "a timer's fire at its own slot after missed ones"

# 3. cron: the same fire long after the last run is not a catch-up
DH_SCHEDULER=cron "$DESKHAND" schedule add cron --at "$(date -u -d '-10 min' +'%M %H') * * *" \
  --grant "$G" --mode auto "digest" >"$T/out" 2>&1 || fail "add cron: $(cat "$T/out")"
set_back cron
assert_eq "$(ANTHROPIC_API_KEY=key-cron fire_cmd "$(cron_cmd cron)" && \
  "$DESKHAND" wait "$(tail -1 "$T/fire.out")" >/dev/null 2>&1 && \
  "$DESKHAND" schedule list --json | jq -r '.[] | select(.name == "cron") | .last_kind')" timer \
  "a crontab line's fire"
"$DESKHAND" schedule log --json cron >"$T/log.json"
assert_eq "$(jq '[.[] | select((.detail // "") | startswith("catch-up"))] | length' "$T/log.json")" 0
echo ok
