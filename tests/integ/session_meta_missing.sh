# A session directory without meta.json (a start that did not finish, or a
# file someone removed) is damaged, and said so: `sessions` and `inbox` list
# it as `unreadable`, warn on stderr naming the missing file and exit 1 (the
# whole sessions still listed; `inbox --dismiss` takes it off the inbox,
# saying again what is wrong, until its meta.json reads again); `log`,
# `undo`, `undo --to baseline`, `restore`, `wait` and `run --resume` on its
# id name the same file instead of "no session", exit 1 and change nothing:
# neither the folder nor the damaged directory (no meta.json is made up for
# it). `log`, `diff`, `review` and `undo` without an id choose among the
# whole sessions by the current directory, and warn that a damaged one that
# might have been the choice was not considered, naming its missing file.
# `latest` stays the latest whole session, and with only damaged ones `log`
# does not say "no sessions yet".
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo "line 1" > "$G/f1.txt"; echo "line 2" > "$G/f2.txt"
S=$XDG_STATE_HOME/deskhand/sessions
edit() { # N: a session that edits fN.txt; prints its id
  cat > "$T/edit$1.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "f$1.txt", "old_string": "line $1", "new_string": "LINE $1"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
  run_task "$T/edit$1.json" "$T/edit$1.out" >&2
  kill "$FAKE_PID" 2>/dev/null || true
  jq -r 'select(.type=="session_started").session' "$T/edit$1.out"
}
whole=$(edit 1)
gone=$(edit 2)
# A person removes the second session's meta.json; an older version's start
# left an empty directory (the second before: it sorts first).
rm "$S/$gone/meta.json"
empty=19991231-235959-dead
mkdir "$S/$empty"
snapshot() { (cd "$S" && find "$gone" "$empty" -printf '%p %s\n' | sort; md5sum "$gone"/*); cat "$G"/*; }
before=$(snapshot)

set +e; "$DESKHAND" sessions >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "sessions with damaged ones"
assert_contains "$(cat "$T/out")" "$whole  done"
assert_contains "$(cat "$T/out")" "$gone  unreadable"
assert_contains "$(cat "$T/out")" "$empty  unreadable"
assert_contains "$(cat "$T/err")" "warning: session $gone is damaged: $S/$gone/meta.json is missing"
assert_contains "$(cat "$T/err")" "its transcript.jsonl is still there"
assert_contains "$(cat "$T/err")" "warning: session $empty is damaged: $S/$empty/meta.json is missing"
assert_eq "$(grep -c warning "$T/err")" 2 "warnings"
set +e; "$DESKHAND" sessions --json >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "sessions --json with damaged ones"
# (the damaged one of the same second as the whole one may come first: its
# start is known to the second only, by its id)
assert_eq "$(jq -r '.[] | "\(.id) \(.status)"' "$T/out" | sort | tr '\n' ' ')" \
  "$empty unreadable $(printf '%s\n' "$whole done" "$gone unreadable" | sort | tr '\n' ' ')" \
  "sessions --json"
assert_eq "$(jq -r '.[0].id' "$T/out")" "$empty" "the session of the earliest second first"
assert_contains "$(jq -r --arg id "$gone" '.[] | select(.id==$id).error' "$T/out")" "$S/$gone/meta.json is missing"

# Every verb that names it says what is missing, and changes nothing.
for verb in "log $gone" "log --session $gone" "undo --session $gone" \
    "undo --to baseline --session $gone" "restore --session $gone baseline" \
    "diff --session ${gone%?}" "wait $gone" "run --resume $gone --json go-on"; do
  set +e; "$DESKHAND" $verb >"$T/out" 2>"$T/err"; rc=$?; set -e
  assert_eq "$rc" 1 "$verb"
  assert_contains "$(cat "$T/err")" "session $gone is damaged: $S/$gone/meta.json is missing"
  assert_not_contains "$(cat "$T/err")" "no session '"
done
set +e; "$DESKHAND" log --session "$empty" >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log on an empty session directory"
assert_contains "$(cat "$T/err")" "$S/$empty/meta.json is missing, and so is its transcript.jsonl"

# The inbox lists them as `sessions` does: the whole session (a headless run
# with a file pending) and both damaged ones, newest first, a warning each.
set +e; "$DESKHAND" inbox >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "inbox with damaged ones"
grep -qE "^$whole +done +1 file " "$T/out" || { cat "$T/out"; fail "inbox: no row of $whole"; }
grep -qE "^$gone +unreadable " "$T/out" || { cat "$T/out"; fail "inbox: no row of $gone"; }
grep -qE "^$empty +unreadable " "$T/out" || { cat "$T/out"; fail "inbox: no row of $empty"; }
assert_contains "$(cat "$T/err")" "warning: session $gone is damaged: $S/$gone/meta.json is missing"
assert_contains "$(cat "$T/err")" "warning: session $empty is damaged: $S/$empty/meta.json is missing"
assert_eq "$(grep -c warning "$T/err")" 2 "inbox warnings"
set +e; "$DESKHAND" inbox --json >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "inbox --json with damaged ones"
assert_eq "$(jq -r '.[] | "\(.id) \(.state)"' "$T/out" | sort | tr '\n' ' ')" \
  "$(printf '%s\n' "$whole done" "$gone unreadable" "$empty unreadable" | sort | tr '\n' ' ')" "inbox --json"
assert_eq "$(jq -r '.[-1].id' "$T/out")" "$empty" "the session of the earliest second last"
assert_contains "$(jq -r --arg id "$gone" '.[] | select(.id==$id).error' "$T/out")" "$S/$gone/meta.json is missing"

# Standing in the folder (a grant of both), the verbs without an id choose
# the whole session and say that the damaged one, which might be the
# folder's latest, was not considered; the empty directory of 1999, older
# than the one chosen, could not have been chosen and is not named.
for verb in log diff review; do
  (cd "$G" && "$DESKHAND" $verb >"$T/out" 2>"$T/err") || { cat "$T/err"; fail "$verb in the folder"; }
  assert_contains "$(cat "$T/err")" "deskhand: session $whole (grant "
  assert_contains "$(cat "$T/err")" \
    "warning: session $gone was not considered for $G: session $gone is damaged: $S/$gone/meta.json is missing"
  ! grep -qF "$empty" "$T/err" || { cat "$T/err"; fail "$verb in the folder named $empty"; }
done
assert_contains "$(head -1 "$T/out")" "$G" "review in the folder: the whole session's"
# Elsewhere, no grant holds the directory: the latest whole session, and
# every damaged one might have held it.
(cd "$T" && "$DESKHAND" log >"$T/out" 2>"$T/err") || { cat "$T/err"; fail "log outside the grants"; }
assert_contains "$(cat "$T/err")" "deskhand: session $whole (the latest: no session's grant holds $T)"
assert_contains "$(cat "$T/err")" "warning: session $gone was not considered for $T: session $gone is damaged"
assert_contains "$(cat "$T/err")" "warning: session $empty was not considered for $T: session $empty is damaged: $S/$empty/meta.json is missing"
assert_eq "$(snapshot)" "$before" "the damaged directories and the folder afterwards"
[ ! -e "$S/$gone/meta.json" ] || fail "a meta.json was made up for the damaged session"

# undo in the folder undoes the whole session's step, with the same warning.
(cd "$G" && "$DESKHAND" undo >"$T/out" 2>"$T/err") || { cat "$T/err"; fail "undo in the folder"; }
assert_contains "$(cat "$T/err")" "warning: session $gone was not considered for $G"
assert_eq "$(cat "$G/f1.txt" "$G/f2.txt" | tr '\n' ' ')" "line 1 LINE 2 " "the folder after undo"

# `latest` is the latest whole session.
"$DESKHAND" log >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "log of the latest whole session"; }
assert_contains "$(head -1 "$T/out")" "session $whole (done)"
# Only damaged sessions: not "no sessions yet".
mv "$S/$whole" "$T/kept"
set +e; "$DESKHAND" log >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "log with only damaged sessions"
assert_contains "$(cat "$T/err")" "no readable session in $S: 2 damaged"

# The person dismisses the damaged session from the inbox: it is taken off
# (exit 0), the note says again what is wrong; the other damaged one stays,
# and `sessions` still lists both.
"$DESKHAND" inbox --dismiss "$gone" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "inbox --dismiss of a damaged session"; }
assert_eq "$(cat "$T/out")" "dismissed $gone"
assert_contains "$(cat "$T/err")" "$S/$gone/meta.json is missing"
assert_contains "$(cat "$T/err")" "off the inbox until its meta.json reads again"
set +e; "$DESKHAND" inbox --json >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "inbox with the other damaged one"
assert_eq "$(jq -r '.[] | "\(.id) \(.state)"' "$T/out" | tr '\n' ' ')" "$empty unreadable " "inbox after the dismissal"
assert_eq "$(grep -c warning "$T/err")" 1 "inbox warnings after the dismissal"
set +e; "$DESKHAND" sessions >"$T/out" 2>"$T/err"; rc=$?; set -e
assert_eq "$rc" 1 "sessions after the dismissal"
assert_contains "$(cat "$T/out")" "$gone  unreadable"
# Its meta.json back (a later one, from a backup say): listed as any session.
jq --arg id "$gone" '.id = $id | .updated = (.updated + 60)' "$T/kept/meta.json" > "$S/$gone/meta.json"
"$DESKHAND" inbox --json >"$T/out" 2>"$T/err" || true
assert_eq "$(jq -r --arg id "$gone" '.[] | select(.id==$id) | .state' "$T/out")" "done" "the session back with its meta.json"
# Dismissed while readable, then damaged: listed again, as unreadable.
"$DESKHAND" inbox --dismiss "$gone" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "inbox --dismiss of a readable session"; }
[ ! -s "$T/err" ] || { cat "$T/err"; fail "a note on the dismissal of a readable session"; }
"$DESKHAND" inbox --json >"$T/out" 2>"$T/err" || true
assert_eq "$(jq -r --arg id "$gone" '[.[] | select(.id==$id)] | length' "$T/out")" 0 "dismissed while readable"
rm "$S/$gone/meta.json"
"$DESKHAND" inbox --json >"$T/out" 2>"$T/err" || true
assert_eq "$(jq -r --arg id "$gone" '.[] | select(.id==$id) | .state' "$T/out")" "unreadable" "damaged after its dismissal"
echo ok
