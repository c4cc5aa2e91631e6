#!/usr/bin/env bash
# The programs the host runs later stay as they are when a --rw grant holds them: the helper
# itself, bwrap and each --protect (deskhand passes its own binary). Each is read-only inside,
# and every directory from the grant down to it is a mount point, so neither the program nor a
# directory on its way can be written, removed or renamed, and no other file can take its path.
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

# The argv: pins parents first, before any nested grant; the program bound last; a program in
# a --ro grant or outside every grant is left alone; a symlink is followed to the file.
argv=$("$H" --rw "$W" --ro "$W/ro" --protect "$W/prog-link" --protect /usr/bin/env \
       --protect "$W/ro" --print-argv -- true | tr '\n' ' ')
assert_contains "$argv" "--bind $W $W --ro-bind $W/ro $W/ro --bind $W/app $W/app --bind $W/tools $W/tools --bind $W/tools/bin $W/tools/bin "
assert_contains "$argv" "--ro-bind $W/app/prog $W/app/prog --ro-bind $H $H --chdir"
assert_not_contains "$argv" "/usr/bin/env /usr/bin/env"
assert_eq "$(grep -o -- "--bind $W/tools/bin " <<<"$argv" | wc -l)" 1 "a pin is bound once: $argv"

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
# The helper still is the helper: a second command runs in the sandbox.
assert_eq "$("$H" --rw "$W" -- sh -c 'echo "$DESKHAND_LANDLOCK" | cut -c1-4')" "$(
  "$SANDBOX" --rw "$W" -- sh -c 'echo "$DESKHAND_LANDLOCK" | cut -c1-4')"
echo ok
