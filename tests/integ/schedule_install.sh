# `deskhand schedule add` installs a systemd user timer + service that pass
# `systemd-analyze verify` (and whose OnCalendar= passes `systemd-analyze
# calendar`), or a crontab line that is exactly what `crontab -l` then shows
# (a fake crontab keeps the table in a file); pause/resume/remove touch only
# that schedule's line or units. Bad SPECs and bad definition files are
# refused naming the SPEC or file:line. Every subcommand has --help; doctor
# names the scheduler and lingering.
. "$DH_TESTS/lib.sh"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (Debian package systemd)"
G=$T/notes; mkdir -p "$G"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab
UNITS=$XDG_CONFIG_HOME/systemd/user
DEFS=$XDG_CONFIG_HOME/deskhand/schedules

# --help everywhere
"$DESKHAND" schedule --help | grep -q '^  fire ' || fail "schedule --help lists no fire"
for c in add list run pause resume remove log fire; do
  out=$("$DESKHAND" schedule $c --help) || fail "schedule $c --help exited $?"
  assert_contains "$out" "usage: deskhand schedule"
done
rc=0; "$DESKHAND" schedule frobnicate 2>/dev/null || rc=$?; assert_eq "$rc" 2

# 1. systemd
DH_SCHEDULER=systemd "$DESKHAND" schedule add digest --at 'Mon *-*-* 08:00' --grant "$G" \
  --mode auto --max-cost 0.50 "Write a weekly digest" >"$T/out" 2>&1 || { cat "$T/out"; fail "add"; }
for u in service timer; do [ -f "$UNITS/deskhand-schedule-digest.$u" ] || fail "no .$u unit"; done
systemd-analyze verify "$UNITS/deskhand-schedule-digest.timer" "$UNITS/deskhand-schedule-digest.service" \
  >"$T/verify" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify")"
[ ! -s "$T/verify" ] || fail "systemd-analyze verify warned: $(cat "$T/verify")"
assert_file_contains "$UNITS/deskhand-schedule-digest.timer" "Persistent=true"
# the oneshot's fire returns while its run goes on: stopping the unit must
# not kill the run's engine
assert_file_contains "$UNITS/deskhand-schedule-digest.service" "KillMode=process"
assert_file_contains "$UNITS/deskhand-schedule-digest.service" "ExecStart=\"$(readlink -f "$DESKHAND")\" schedule fire digest"
cal=$(sed -n 's/^OnCalendar=//p' "$UNITS/deskhand-schedule-digest.timer")
assert_eq "$cal" "Mon *-*-* 08:00"
systemd-analyze calendar "$cal" >/dev/null || fail "systemd-analyze calendar '$cal'"
[ -L "$UNITS/timers.target.wants/deskhand-schedule-digest.timer" ] || fail "the timer is not enabled"
assert_file_contains "$DEFS/digest" "max_cost = 0.50"
assert_file_contains "$DEFS/digest" "grant = $G"
# a cron SPEC becomes an OnCalendar= with the same next runs
DH_SCHEDULER=systemd "$DESKHAND" schedule add workhours --at '*/15 9-17 * * mon-fri' --grant "$G" \
  "check the inbox" >"$T/out" 2>&1 || { cat "$T/out"; fail "add (cron SPEC, systemd)"; }
cal=$(sed -n 's/^OnCalendar=//p' "$UNITS/deskhand-schedule-workhours.timer")
assert_eq "$cal" "Mon..Fri *-*-* 09..17:00,15,30,45:00"
systemd-analyze verify "$UNITS/deskhand-schedule-workhours.timer" "$UNITS/deskhand-schedule-workhours.service" \
  || fail "verify (converted SPEC)"
sd_next=$(systemd-analyze calendar "$cal" | sed -n 's/.*Next elapse: [A-Za-z]* \([0-9-]* [0-9]*:[0-9]*\).*/\1/p')
our_next=$("$DESKHAND" schedule list --json | jq -r '.[] | select(.name == "workhours") | .next | strftime("%Y-%m-%d %H:%M")')
assert_eq "$our_next" "$sd_next" "our next run of the cron SPEC vs systemd's of its OnCalendar="
# pause disables the timer; remove deletes the units and the definition
"$DESKHAND" schedule pause digest >/dev/null || fail "pause"
[ ! -e "$UNITS/timers.target.wants/deskhand-schedule-digest.timer" ] || fail "pause left the timer enabled"
assert_file_contains "$DEFS/digest" "paused = yes"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[] | select(.name == "digest") | .paused')" true
"$DESKHAND" schedule resume digest >/dev/null || fail "resume"
[ -L "$UNITS/timers.target.wants/deskhand-schedule-digest.timer" ] || fail "resume did not enable the timer"
"$DESKHAND" schedule remove digest >/dev/null || fail "remove"
[ ! -e "$UNITS/deskhand-schedule-digest.timer" ] && [ ! -e "$DEFS/digest" ] || fail "remove left files"
[ -e "$UNITS/deskhand-schedule-workhours.timer" ] || fail "remove took another schedule's unit"

# 2. cron: the line as crontab -l shows it; the others stay
printf 'MAILTO=me\n5 4 * * * /usr/bin/backup # deskhand-schedule digest2\n' > "$T/crontab"
DH_SCHEDULER=cron "$DESKHAND" schedule add digest --at 'Mon *-*-* 08:00' --grant "$G" \
  "Write a weekly digest" >"$T/out" 2>&1 || { cat "$T/out"; fail "add (cron)"; }
self=$(readlink -f "$DESKHAND")
expect="0 8 * * 1 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_STATE_HOME='$XDG_STATE_HOME' '$self' schedule fire digest # deskhand-schedule digest"
assert_eq "$(crontab -l)" "$(printf 'MAILTO=me\n5 4 * * * /usr/bin/backup # deskhand-schedule digest2\n%s' "$expect")"
assert_contains "$(cat "$T/out")" "crontab line '0 8 * * 1'"
assert_contains "$("$DESKHAND" schedule list)" "cron: no catch-up"
"$DESKHAND" schedule pause digest >/dev/null || fail "pause (cron)"
assert_eq "$(crontab -l)" "$(printf 'MAILTO=me\n5 4 * * * /usr/bin/backup # deskhand-schedule digest2')"
"$DESKHAND" schedule resume digest >/dev/null || fail "resume (cron)"
assert_eq "$(crontab -l | tail -1)" "$expect"
"$DESKHAND" schedule remove digest >/dev/null || fail "remove (cron)"
assert_eq "$(crontab -l)" "$(printf 'MAILTO=me\n5 4 * * * /usr/bin/backup # deskhand-schedule digest2')"
rc=0; "$DESKHAND" schedule remove digest 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "remove of a schedule that is gone"
assert_contains "$(cat "$T/err")" "no schedule 'digest'"

# 3. refusals name what is at fault; nothing is left half-installed
bad() { # EXPECTED-MESSAGE SCHEDULER SPEC
  local rc=0
  DH_SCHEDULER=$2 "$DESKHAND" schedule add bad --at "$3" --grant "$G" "x" >"$T/out" 2>&1 || rc=$?
  assert_eq "$rc" 2 "add --at '$3' ($2): $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" "$1"
  [ ! -e "$DEFS/bad" ] || fail "a refused add left $DEFS/bad"
}
bad "--at 'bogus': systemd-analyze calendar" systemd bogus
bad "--at '61 * * * *': bad minute field '61'" cron '61 * * * *'
bad "cannot be written as a crontab line: it has seconds ('08:00:30')" cron 'Mon *-*-* 08:00:30'
bad "cannot be written as a crontab line: it names a year" cron '2030-*-* 08:00'
bad "has no systemd calendar form: cron runs it on a day of the month OR a weekday" systemd '0 8 1 * mon'
rc=0; "$DESKHAND" schedule add 'Bad Name' --at daily --grant "$G" x 2>"$T/err" || rc=$?
assert_eq "$rc" 2; assert_contains "$(cat "$T/err")" "bad name 'Bad Name'"
rc=0; "$DESKHAND" schedule add nogrant --at daily x 2>"$T/err" || rc=$?
assert_eq "$rc" 2
# a definition edited by hand: errors name file:line
printf 'at = daily\ntask = x\ncolour = blue\ngrant = %s\n' "$G" > "$DEFS/handmade"
rc=0; "$DESKHAND" schedule run handmade >"$T/out" 2>&1 || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/out")" "$DEFS/handmade:3: unknown key 'colour'"
assert_contains "$("$DESKHAND" schedule list)" "$DEFS/handmade:3: unknown key 'colour'"
assert_contains "$("$DESKHAND" schedule log handmade)" "unknown key 'colour'"

# 4. doctor: which installer, and lingering
out=$(DH_SCHEDULER=cron "$DESKHAND" doctor 2>&1 || true)
assert_contains "$out" "scheduler: cron (DH_SCHEDULER=cron)"
assert_contains "$out" "lingering: "
j=$(DH_SCHEDULER=systemd "$DESKHAND" doctor --json 2>/dev/null || true)
assert_eq "$(jq -r .scheduler.installer <<<"$j")" systemd
jq -e '.scheduler.linger | test("^(yes|no|unknown)$")' <<<"$j" >/dev/null || fail "doctor --json linger: $j"
echo ok
