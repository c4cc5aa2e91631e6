# The yes/no keys of a hand-edited definition (paused, force) read any
# case of yes/true/on/1 and no/false/off/0; anything else is an error
# naming file:line and the value, never a silent "no": `paused = Yes`
# pauses, and `paused = maybe` does not let the timer go on starting runs.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/lib_schedule.sh"
export DH_SCHEDULER=cron
DEFS=$XDG_CONFIG_HOME/deskhand/schedules
"$DESKHAND" schedule add dg --at daily --grant "$G" --mode auto "Write digest.md" \
  >"$T/out" 2>&1 || fail "add: $(cat "$T/out")"
cp "$DEFS/dg" "$T/dg.orig"

# paused = Yes: the fire starts nothing, the list says paused
sed -i 's/^paused = no$/paused = Yes/' "$DEFS/dg"
"$DESKHAND" schedule fire dg >"$T/out" 2>&1 || fail "fire (paused = Yes): $(cat "$T/out")"
assert_contains "$(cat "$T/out")" "schedule dg is paused: nothing started"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0].paused')" true
[ ! -e "$G/digest.md" ] || fail "a run started though the schedule is paused"

# values that are neither yes nor no: file:line, the key and the value
for kv in "paused = maybe" "force = nah" "paused = " ; do
  cp "$T/dg.orig" "$DEFS/dg"
  key=${kv%% *}
  sed -i "s/^$key = no\$/$kv/" "$DEFS/dg"
  line=$(grep -n "^$key =" "$DEFS/dg" | cut -d: -f1)
  val=${kv#*= }
  rc=0; "$DESKHAND" schedule fire dg >"$T/out" 2>&1 || rc=$?
  assert_eq "$rc" 1 "fire with '$kv': $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" "$DEFS/dg:$line: $key '$val': expected yes or no"
  assert_contains "$("$DESKHAND" schedule list)" "$DEFS/dg:$line: $key '$val': expected yes or no"
  [ ! -e "$G/digest.md" ] || fail "a run started with '$kv'"
done

# the other spellings read as they should
cp "$T/dg.orig" "$DEFS/dg"
sed -i 's/^paused = no$/paused = ON/' "$DEFS/dg"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0].paused')" true
sed -i 's/^paused = ON$/paused = False/' "$DEFS/dg"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0] | "\(.paused) \(.error)"')" "false null"
echo ok
