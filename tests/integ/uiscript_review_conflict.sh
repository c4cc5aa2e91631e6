# In process: a reject that meets the person's own edit (a conflict) is
# said in full in the diff pane — the file, where its three versions are —
# however narrow the terminal, and asks f (force) or o (open the versions in
# $EDITOR); o opens the directory holding base/, agent/ and current/, f
# forces the reject, and u takes the forced reject back.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
printf 'one\ntwo\n' > "$G/a.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "one\nTWO\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "edit a" >"$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
printf 'one\nTWO\nmine\n' > "$G/a.txt"    # the person's edit, after the agent's
cat > "$T/ed.sh" <<'EOF2'
#!/bin/sh
echo "$1" >> "$EDLOG"
EOF2
chmod +x "$T/ed.sh"
mkdir -p "$T/tmp"
steps ":wait text task done
<Tab>
z
:wait text diff \\(1 file pending\\)
:wait idle
x
:wait text Discard every change to a\\.txt\\? y/n
y
:wait text f force, o open the versions
:wait idle
:save-screen $T/conflict.scr
o
:wait idle
x
:wait text Discard every change to a\\.txt\\? y/n
y
:wait text f force, o open the versions
f
:wait text rejected a\\.txt — u undoes it
:wait text diff \\(0 files pending\\)
:save-screen $T/forced.scr
:wait idle
u
:wait text undid: rejected a\\.txt — C-r redoes it
:wait text diff \\(1 file pending\\)
:save-screen $T/undone.scr
:quit"
UI_ENV="EDITOR=$T/ed.sh VISUAL= EDLOG=$T/edlog TMPDIR=$T/tmp" ui_run 60 24 --resume latest
# the whole message, wrapped: the file, the directory, the way out
body=$(screen conflict | tr -d '\n')
assert_contains "$body" "conflict: a.txt changed since the agent's step"
# o opened the three versions: the editor got the directory the pane names
dir=$(head -1 "$T/edlog")
case $dir in "$T"/tmp/deskhand-conflict-*) ;; *) fail "the editor got '$dir'";; esac
assert_contains "$body" "$dir"
assert_contains "$body" "f forces it"
assert_screen conflict 'f force, o open the versions'
assert_eq "$(cat "$dir/base/a.txt")" "$(printf 'one\ntwo')"
assert_eq "$(cat "$dir/agent/a.txt")" "$(printf 'one\nTWO')"
assert_eq "$(cat "$dir/current/a.txt")" "$(printf 'one\nTWO\nmine')"
# f forced the reject; u brought the file back with the person's line
assert_screen forced 'rejected a\.txt — u undoes it'
assert_eq "$(cat "$G/a.txt")" "$(printf 'one\nTWO\nmine')"
echo ok
