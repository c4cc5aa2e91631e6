# Office suites' lock files (LibreOffice `.~lock.NAME#`, Microsoft Office
# `~$NAME` and `~WRL*.tmp`) are ignored by built-in rules: review does not
# list them and reject, undo and restore neither delete nor rewrite them,
# also one that a checkpoint made before the rule applied had stored (here
# re-included with a `!` rule that is then dropped; the rules file itself is
# not stored, so no restore brings the rule back).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub"
printf 'alpha\n' > "$G/a.txt"
printf '!.~lock.kept.ods#\n.deskhandignore\n' > "$G/.deskhandignore"
printf 'old lock\n' > "$G/.~lock.kept.ods#"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes.txt", "content": "notes\n"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "f=$(printf '.~lock.%s#' kept.ods) && printf 'agent lock\\n' > \"$f\" && printf 'bee\\n' > b.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "edit" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
assert_eq "$(cat "$G/b.txt")" bee "the session ran"
# stored by the checkpoints while the rule re-included it
assert_contains "$("$DESKHAND" review --stat 2>&1)" "M  .~lock.kept.ods#"
# the re-include goes: the lock file stored before is now ignored
printf '.deskhandignore\n' > "$G/.deskhandignore"
printf 'now lock\n' > "$G/.~lock.kept.ods#"
printf ',alice,host,01.01.2026 10:00,alice;' > "$G/.~lock.a.xlsx#"
printf 'alice' > "$G/~\$report.docx"
printf 'x' > "$G/sub/~\$deep.xlsx"
printf 'copy' > "$G/~WRL0001.tmp"
printf 'mine\n' > "$G/mine.txt"
locks() { for f in '.~lock.kept.ods#' '.~lock.a.xlsx#' '~$report.docx' 'sub/~$deep.xlsx' \
	'~WRL0001.tmp'; do printf '%s=%s\n' "$f" "$(cat "$G/$f" 2>/dev/null || echo GONE)"; done; }
want=$(locks)

export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"
txt=$("$DESKHAND" review 2>&1) || { echo "$txt"; fail "review failed"; }
assert_contains "$txt" "mine.txt"
for f in '.~lock.kept.ods#' '.~lock.a.xlsx#' '~$report.docx' '~$deep.xlsx' '~WRL0001.tmp'; do
	assert_not_contains "$txt" "$f"
done
j=$("$DESKHAND" review --json)
assert_eq "$(jq -r '[.grants[0].files[].path] | sort | join(" ")' <<<"$j")" "b.txt mine.txt notes.txt"

"$DESKHAND" reject --force "$G" >"$T/rej.out" 2>&1 || { cat "$T/rej.out"; fail "reject failed"; }
[ ! -e "$G/mine.txt" ] || fail "reject left mine.txt"
assert_eq "$(locks)" "$want" "lock files after reject"

"$DESKHAND" restore --force baseline >"$T/rs.out" 2>&1 || { cat "$T/rs.out"; fail "restore failed"; }
assert_eq "$(locks)" "$want" "lock files after restore baseline"
[ ! -e "$G/notes.txt" ] || fail "restore baseline left notes.txt"
id=$("$DESKHAND" log --json | jq -r '[.[] | select(.label | startswith("turn 2"))][0].id')
"$DESKHAND" restore --force "$id" >"$T/rs2.out" 2>&1 || { cat "$T/rs2.out"; fail "restore $id"; }
assert_eq "$(locks)" "$want" "lock files after restore of a step"
"$DESKHAND" undo --steps 1 >"$T/undo.out" 2>&1 || { cat "$T/undo.out"; fail "undo failed"; }
assert_eq "$(locks)" "$want" "lock files after undo"
assert_not_contains "$("$DESKHAND" review)" ".~lock.kept.ods#"
echo ok
