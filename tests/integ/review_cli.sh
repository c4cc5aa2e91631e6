# The review verbs on a real session (fake model server): review (text and
# --json) with hunks, renames, deletions, binary and mode changes and the step
# that made each; reject-hunk; accept-hunk; accept; reject with a conflict (three
# versions) and --force; undo --steps / redo byte-identical; restore.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/notes"
for i in $(seq 1 30); do echo "line $i"; done > "$G/notes/a.txt"
printf 'bee\n' > "$G/b.txt"
printf 'to be renamed\nsame text\nmore text\n' > "$G/old.txt"
printf 'doomed\n' > "$G/del.txt"
printf '#!/bin/sh\necho hi\n' > "$G/run.sh"
printf '\000\001\002binary\377' > "$G/bin.dat"
cp -a "$G" "$T/orig"
# exit status of a command that may fail (the script runs under set -e)
status() { local rc=0; "$@" >"$T/st.out" 2>"$T/st.err" || rc=$?; echo "$rc"; }
new_a=$(for i in $(seq 1 30); do case $i in 2) echo "LINE 2";; 15) echo "LINE 15";; 28) echo "LINE 28";; *) echo "line $i";; esac; done)
jq -n --arg a "$new_a" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_w", "input": {"path": "notes/a.txt", "content": ($a + "\n")}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_r", "input": {"command": "mv old.txt new.txt && rm del.txt && chmod +x run.sh && printf X >> bin.dat && printf fresh\\\\n > created.txt"}}]},
 {"tool_calls": [{"name": "edit_file", "id": "toolu_e", "input": {"path": "b.txt", "old_string": "bee", "new_string": "BEE"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "Edit things" >"$T/run.out" 2>"$T/err" || { rc=$?; cat "$T/err"; fail "run exited $rc"; }
[ "$(cat "$G/created.txt")" = fresh ] || fail "session did not run: $(tail -5 "$T/run.out")"
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"   # conflict versions land here (cleaned up)

# review --json: every kind of change, with the step that made it
j=$("$DESKHAND" review --json)
f() { jq -c --arg p "$1" '.grants[0].files[] | select(.path==$p)' <<<"$j"; }
assert_eq "$(f notes/a.txt | jq -r '[.status, .added, .removed, (.hunks|length), .step.tool_call] | join(" ")')" "M 3 3 3 toolu_w"
assert_eq "$(f notes/a.txt | jq -r '.hunks[1].lines | join("|")')" " line 12| line 13| line 14|-line 15|+LINE 15| line 16| line 17| line 18"
assert_eq "$(f notes/a.txt | jq -r '.hunks[0].header')" "@@ -1,5 +1,5 @@"
assert_eq "$(f new.txt | jq -r '[.status, .old_path, .step.tool_call] | join(" ")')" "R old.txt toolu_r"
assert_eq "$(f del.txt | jq -r '[.status, .old_size, (.new_size|tostring)] | join(" ")')" "D 7 null"
assert_eq "$(f created.txt | jq -r '[.status, .added] | join(" ")')" "A 1"
assert_eq "$(f run.sh | jq -r '[.status, .old_mode, .new_mode, (.hunks|length)] | join(" ")')" "T 100644 100755 0"
assert_eq "$(f bin.dat | jq -r '[.status, .binary, .old_size, .new_size, (.hunks|length)] | join(" ")')" "M true 10 11 0"
assert_eq "$(f b.txt | jq -r '.step.label')" "turn 4: edit_file b.txt"
assert_eq "$(jq '.grants[0].files | length' <<<"$j")" 7
txt=$("$DESKHAND" review)
assert_contains "$txt" "R  new.txt <- old.txt"
assert_contains "$txt" "M  bin.dat  binary, 10 -> 11 bytes"
assert_contains "$txt" "T  run.sh  mode 100644 -> 100755"
assert_contains "$txt" "   hunk 3  @@ -25,6 +25,6 @@ line 24"
assert_contains "$txt" "   +LINE 28"
assert_contains "$txt" "7 files pending"
assert_contains "$("$DESKHAND" review --stat notes)" "M  notes/a.txt  +3 -3"
assert_not_contains "$("$DESKHAND" review --stat notes)" "hunk"

# reject-hunk: hunk 2 goes, hunks 1 and 3 stay
"$DESKHAND" reject-hunk notes/a.txt 2 >"$T/rh.out" || { cat "$T/rh.out"; fail "reject-hunk failed"; }
want=$(for i in $(seq 1 30); do case $i in 2) echo "LINE 2";; 28) echo "LINE 28";; *) echo "line $i";; esac; done)
assert_eq "$(cat "$G/notes/a.txt")" "$want"
assert_eq "$("$DESKHAND" review --json | jq '.grants[0].files[] | select(.path=="notes/a.txt") | .hunks | length')" 2
"$DESKHAND" reject-hunk notes/a.txt 9 >/dev/null 2>&1 && fail "hunk 9 accepted"
"$DESKHAND" reject-hunk bin.dat 1 >/dev/null 2>"$T/e" && fail "reject-hunk on a binary file"
assert_contains "$(cat "$T/e")" "binary"
assert_eq "$(status "$DESKHAND" reject-hunk notes/a.txt x)" 2

# accept-hunk: hunk 1 (LINE 2) is accepted, LINE 28 stays pending as hunk 1;
# the folder is not touched
"$DESKHAND" accept-hunk notes/a.txt 1 >"$T/ah.out" || { cat "$T/ah.out"; fail "accept-hunk failed"; }
assert_contains "$(cat "$T/ah.out")" "accepted hunk 1 of notes/a.txt"
assert_eq "$(cat "$G/notes/a.txt")" "$want"
ah=$("$DESKHAND" review --json | jq -c '.grants[0].files[] | select(.path=="notes/a.txt")')
assert_eq "$(jq -r '[.added, .removed, (.hunks|length), .hunks[0].header] | join(" ")' <<<"$ah")" "1 1 1 @@ -25,6 +25,6 @@ line 24"
assert_eq "$(jq -r '.hunks[0].lines | join("|")' <<<"$ah")" " line 25| line 26| line 27|-line 28|+LINE 28| line 29| line 30"
assert_eq "$(status "$DESKHAND" accept-hunk bin.dat 1)" 1
assert_contains "$(cat "$T/st.err")" "accept the whole file"
assert_eq "$(status "$DESKHAND" accept-hunk notes/a.txt 0)" 2
jr=$("$DESKHAND" accept-hunk --json notes/a.txt 5) && fail "accept-hunk of hunk 5 succeeded"
assert_eq "$(jq -r '.status, .results[0].status' <<<"$jr" | tr '\n' ' ')" "error error "
"$DESKHAND" accept-hunk --help | grep -q "usage: deskhand accept-hunk" || fail "accept-hunk --help"

# accept: the mark moves for those paths only, and survives (a new process)
out=$("$DESKHAND" accept b.txt "$G/new.txt")
assert_contains "$out" "accepted 2 files"
j=$("$DESKHAND" review --json)
assert_eq "$(jq -r '[.grants[0].files[].path] | sort | join(" ")' <<<"$j")" "bin.dat created.txt del.txt notes/a.txt run.sh"
"$DESKHAND" accept nothing/here >/dev/null 2>&1 && fail "accept of a path with nothing pending"

# reject with a concurrent human edit: conflict, file untouched, three versions
printf 'fresh\nmine\n' > "$G/created.txt"
assert_eq "$(status "$DESKHAND" reject created.txt del.txt)" 3 "reject exit status on conflict"
cp "$T/st.out" "$T/rj.out"
assert_eq "$(cat "$G/created.txt")" "$(printf 'fresh\nmine')"
[ ! -e "$G/del.txt" ] || fail "a conflicting reject restored another file"
assert_contains "$(cat "$T/rj.out")" "+mine"
cur=$(sed -n 's/^    current: //p' "$T/rj.out"); agent=$(sed -n 's/^    agent:   //p' "$T/rj.out")
assert_eq "$(cat "$cur")" "$(printf 'fresh\nmine')"
assert_eq "$(cat "$agent")" fresh
assert_contains "$(sed -n 's/^    base:    //p' "$T/rj.out")" "(absent)"
case $cur in "$TMPDIR"/deskhand-conflict-*/current/created.txt) ;; *) fail "versions not in \$TMPDIR: $cur" ;; esac
jr=$("$DESKHAND" reject --json created.txt) && fail "json reject did not refuse"
assert_eq "$(jq -r '.status, .results[0].conflicts[0].path' <<<"$jr" | tr '\n' ' ')" "conflict created.txt "
"$DESKHAND" reject --force created.txt del.txt >/dev/null || fail "reject --force"
[ ! -e "$G/created.txt" ] || fail "created.txt not removed"
assert_eq "$(cat "$G/del.txt")" doomed
# a rename rejected: the old name comes back
"$DESKHAND" accept run.sh >/dev/null
"$DESKHAND" reject bin.dat >/dev/null || fail "reject bin.dat"
cmp "$G/bin.dat" "$T/orig/bin.dat" || fail "binary not restored"
assert_eq "$(stat -c %a "$G/run.sh")" 755

# undo / redo: byte-identical round trip; reject/reject-hunk are not steps
snap() { (cd "$G" && find . -path ./.git -prune -o -print | sort | while read -r p; do stat -c '%n %a %F' "$p"; [ -f "$p" ] && sha1sum < "$p"; done); }
before=$(snap)
out=$("$DESKHAND" undo) || fail "undo failed: $out"
assert_eq "$(cat "$G/b.txt")" bee
assert_eq "$("$DESKHAND" review --json | jq -r '.grants[0].files[] | select(.path=="b.txt") | .status')" M
"$DESKHAND" redo >/dev/null || fail "redo failed"
assert_eq "$(snap)" "$before" "undo then redo"
"$DESKHAND" redo >/dev/null 2>&1 && fail "a second redo succeeded"
"$DESKHAND" undo --steps 2 >/dev/null || fail "undo --steps 2"
assert_eq "$(cat "$G/b.txt")" bee
[ -e "$G/old.txt" ] && [ ! -e "$G/new.txt" ] || fail "undo --steps 2 did not undo the rename"
assert_eq "$(stat -c %a "$G/run.sh")" 644
assert_eq "$(sed -n 28p "$G/notes/a.txt")" "LINE 28"
"$DESKHAND" undo --steps 5 >/dev/null 2>"$T/e" && fail "undo of more steps than exist"
assert_contains "$(cat "$T/e")" "only 1 agent step"
"$DESKHAND" redo >/dev/null || fail "redo of 2 steps"
assert_eq "$(snap)" "$before" "undo --steps 2 then redo"
# a manual change invalidates redo only through a checkpoint; conflicts stop undo
echo "person" >> "$G/b.txt"
assert_eq "$(status "$DESKHAND" undo)" 3
assert_eq "$(tail -1 "$G/b.txt")" person

# restore any checkpoint; --json shape
id=$("$DESKHAND" log --json | jq -r '.[0].short_id')
assert_eq "$(status "$DESKHAND" restore "$id")" 3 "restore over a changed file"
jr=$("$DESKHAND" restore --force --json baseline) || fail "restore --force baseline"
assert_eq "$(jq -r '.status' <<<"$jr")" ok
diff -r --exclude=.git "$T/orig" "$G" || fail "restore baseline is not exact"
assert_eq "$(status "$DESKHAND" restore nosuch)" 1
"$DESKHAND" review --help | grep -q "usage: deskhand review" || fail "review --help"
assert_eq "$(status "$DESKHAND" reject)" 2
echo ok
