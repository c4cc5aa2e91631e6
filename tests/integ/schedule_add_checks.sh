# `schedule add` refuses what every fire of the schedule would refuse, with
# the message and exit status `run` gives and nothing installed: a system
# directory or the home directory granted (exit 1), an option the engine
# refuses or an empty --model (exit 2). --force grants the folder as
# `run --force` does, and the definition records it, so the fire can start.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/lib_schedule.sh"
export DH_SCHEDULER=cron
DEFS=$XDG_CONFIG_HOME/deskhand/schedules

# refused_add RC MSG NAME ARGS...: `schedule add NAME ARGS` exits RC saying
# MSG, and installs neither a definition nor a crontab line.
refused_add() {
  local want=$1 msg=$2 name=$3 rc=0; shift 3
  "$DESKHAND" schedule add "$name" "$@" >"$T/out" 2>&1 || rc=$?
  assert_eq "$rc" "$want" "schedule add $name $*: $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" "$msg"
  [ ! -e "$DEFS/$name" ] || fail "schedule add $name left the definition $DEFS/$name"
  [ ! -s "$T/crontab" ] || fail "schedule add $* installed: $(cat "$T/crontab")"
}
ETC_MSG="grant '/etc': refusing to grant a system directory (use --force to insist)"
refused_add 1 "deskhand schedule add: $ETC_MSG" etc --at daily -g /etc "x"
refused_add 1 "grant '$(readlink -f "$HOME")': refusing to grant your whole home directory" \
  home --at daily -g "$HOME" "x"
refused_add 1 "refusing to grant the whole file system" root --at daily -g / --force "x"
refused_add 2 "'model' has no value" nomodel --at daily -g "$G" --model "" "x"
refused_add 2 "'max_cost' must be an amount of US dollars" cost --at daily -g "$G" \
  --max-cost 1e400 "x"

# The same grant refusal as `run` gives, word for word.
rc=0; "$DESKHAND" run --detach -g /etc "x" >"$T/run.out" 2>&1 || rc=$?
assert_eq "$rc" 1 "run -g /etc"
assert_contains "$(cat "$T/run.out")" "$ETC_MSG"

# --force: the home directory (here the notes folder is HOME) is granted,
# the definition says so and a run of it starts and finishes.
HOME=$G refused_add 1 "refusing to grant your whole home directory" home --at daily -g "$G" "x"
HOME=$G "$DESKHAND" schedule add home --at daily -g "$G" --force --mode auto "Write digest.md" \
  >"$T/out" 2>&1 || fail "add --force: $(cat "$T/out")"
assert_file_contains "$DEFS/home" "force = yes"
cron_cmd home >/dev/null
id=$(HOME=$G ANTHROPIC_API_KEY=key-home "$DESKHAND" schedule run home 2>"$T/err") \
  || fail "run of the forced schedule: $(cat "$T/err")"
rc=0; "$DESKHAND" wait "$id" >"$T/w" 2>&1 || rc=$?
assert_eq "$rc" 0 "the forced run: $(cat "$T/w")"
[ -f "$G/digest.md" ] || fail "the forced run wrote no digest.md"
# a schedule that needs no force records none
"$DESKHAND" schedule add plain --at daily -g "$G" "x" >/dev/null 2>&1 || fail "add plain"
assert_file_contains "$DEFS/plain" "force = no"
