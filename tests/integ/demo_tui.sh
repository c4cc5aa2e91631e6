# make demo-tui: the recorded demo session replayed in the real workbench
# (auto mode; the plan approved with `a`), driven by DH_SCRIPT in place of a
# terminal. It must reach "task done" with the organised folder pending
# review in the diff pane.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
steps ":wait approval
a
:wait text task (done|failed)
:save-screen $T/done.scr elements
:quit"
demo_dir() { sed -n 's|^folder:  \(/tmp/deskhand-demo\.[A-Za-z0-9]*\)/folder .*|\1|p' "$1"; }
rc=0
env DH_NO_DISPLAY=1 DH_SCRIPT="$T/steps" COLUMNS=140 LINES=40 TERM=xterm-256color \
  DH_SCRIPT_TIMEOUT_MS=60000 bash "$DH_TESTS/../contrib/demo/run.sh" --tui "$DH_BUILD" \
  >"$T/out" 2>"$T/err" || rc=$?
demo=$(demo_dir "$T/out")
[ -n "$demo" ] && trap 'rm -rf "$demo"; cleanup' EXIT
[ "$rc" = 0 ] || { cat "$T/out" "$T/err" >&2; fail "demo-tui exited $rc"; }
assert_screen done 'task done' 'diff \([0-9]+ files pending\)' 'expenses\.csv' '│ auto │'
[ -f "$demo/folder/expenses.csv" ] || fail "the replay did not write expenses.csv"
# Without a terminal and without a script it refuses, saying why.
rc=0; bash "$DH_TESTS/../contrib/demo/run.sh" --tui "$DH_BUILD" </dev/null >"$T/out2" 2>&1 || rc=$?
demo2=$(demo_dir "$T/out2")
[ -n "$demo2" ] && rm -rf "$demo2"
assert_eq "$rc" 1
assert_contains "$(cat "$T/out2")" "needs a terminal"
echo ok
