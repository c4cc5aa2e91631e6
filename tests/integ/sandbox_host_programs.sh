#!/usr/bin/env bash
# What the host runs or reads later stays as it is when a --rw grant holds it: the helper
# itself, bwrap and each --protect (deskhand passes its own binary, configuration and state).
# Each is read-only inside, and every directory from the grant down to it is a mount point, so
# neither it nor a directory on its way can be written, removed or renamed, and no other file
# can take its path.
# Without that, a command could replace deskhand-sandbox and the next command would run the
# replacement on the host, outside any sandbox. The rest of the grant stays writable.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
W=$T/work; mkdir -p "$W/tools/bin" "$W/app" "$W/ro"
cp "$SANDBOX" "$W/tools/bin/deskhand-sandbox"
H=$W/tools/bin/deskhand-sandbox
printf '#!/bin/sh\necho app\n' > "$W/app/prog"; chmod +x "$W/app/prog"
ln -s app/prog "$W/prog-link"
sum() { (cd "$W" && find . -type f -print0 | sort -z | xargs -0 sha256sum; find . | sort); }

# The argv: each entry sorted in with the grants, parents first, so a pin comes before what it
# leads to and a grant nested in a protected directory (a connector's HOME in the state) still
# lands on top, writable; a program in a --ro grant or outside every grant is left alone; a
# symlink is followed; a protected --rw grant itself turns read-only.
mkdir -p "$W/state/mcp/x"
argv=$("$H" --rw "$W" --ro "$W/ro" --rw "$W/state/mcp/x" --protect "$W/prog-link" \
       --protect /usr/bin/env --protect "$W/ro" --protect "$W/state" --print-argv -- true |
       sed -n '/^--dev$/,/^--chdir$/p' | tail -n +3 | head -n -1 | paste -sd' ')
assert_eq "$argv" "--bind $W $W --ro-bind $W/ro $W/ro --bind $W/app $W/app --ro-bind $W/state $W/state --bind $W/tools $W/tools --ro-bind $W/app/prog $W/app/prog --bind $W/tools/bin $W/tools/bin --bind $W/state/mcp/x $W/state/mcp/x --ro-bind $H $H"
argv=$("$SANDBOX" --rw "$W/state" --protect "$W/state" --print-argv -- true | paste -sd' ')
assert_contains "$argv" "--dev /dev --ro-bind $W/state $W/state --chdir"
assert_contains "$argv" "--landlock-exec -- true"
rmdir "$W/state/mcp/x" "$W/state/mcp" "$W/state"

before=$(sum)
rc=0
out=$("$H" --rw "$W" --protect "$W/app/prog" -- sh -c '
  echo evil >> tools/bin/deskhand-sandbox && echo WROTE-helper
  printf "#!/bin/sh\n" > tools/bin/new && chmod +x tools/bin/new && echo made-new
  mv tools/bin/new tools/bin/deskhand-sandbox && echo REPLACED-helper
  rm -f tools/bin/deskhand-sandbox && echo RM-helper
  mv tools/bin tools/bin2 && echo MOVED-bin
  mv tools tools2 && echo MOVED-tools
  ln tools/bin/deskhand-sandbox hard 2>/dev/null && echo LINKED-helper
  echo evil > app/prog && echo WROTE-prog
  mv app app2 && echo MOVED-app
  rm -f tools/bin/new && echo grant-writable' 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
for w in WROTE- REPLACED- RM- MOVED- LINKED-; do assert_not_contains "$out" "$w"; done
assert_contains "$out" made-new
assert_contains "$out" grant-writable
assert_eq "$(sum)" "$before" "the host's copy of the grant changed"
# A protected directory: nothing in it can be written or moved, a grant nested in it can.
mkdir -p "$W/state/mcp/x"; echo orig > "$W/state/sessions"
out=$("$H" --rw "$W" --rw "$W/state/mcp/x" --protect "$W/state" -- sh -c '
  echo evil > state/sessions && echo WROTE-state
  touch state/new && echo MADE-state
  mv state state2 && echo MOVED-state
  touch state/mcp/x/token && echo nested-writable' 2>&1) || true
for w in WROTE- MADE- MOVED-; do assert_not_contains "$out" "$w"; done
assert_contains "$out" nested-writable
assert_eq "$(cat "$W/state/sessions")" orig
# The helper still is the helper: a second command runs in the sandbox.
assert_eq "$("$H" --rw "$W" -- sh -c 'echo "$DESKHAND_LANDLOCK" | cut -c1-4')" "$(
  "$SANDBOX" --rw "$W" -- sh -c 'echo "$DESKHAND_LANDLOCK" | cut -c1-4')"
echo ok
