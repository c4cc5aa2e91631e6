#!/usr/bin/env bash
# Paths that change what runs later stay read-only inside a --rw grant: .git/hooks,
# .git/config, shell rc files, .mcp.json, .deskhand, and the hooks and config of each
# submodule's git directory under .git/modules (a nested one, and one whose name has a '/',
# too). .git cannot be renamed away (mount point), nor can a submodule's git directory.
# The rest of the grant, .git/objects and the submodules' objects included, stays writable.
# Host files unchanged.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
W=$T/work; mkdir -p "$W"

mkdir -p "$W/.git/hooks" "$W/.git/objects" "$W/.deskhand"
echo '#!/bin/sh' > "$W/.git/hooks/pre-commit"; chmod +x "$W/.git/hooks/pre-commit"
printf '[core]\n\tbare = false\n' > "$W/.git/config"
for f in .bashrc .profile .mcp.json .deskhand/rules; do echo "orig $f" > "$W/$f"; done
for m in lib lib/modules/inner vendor/tool; do   # a nested submodule; a name with a '/'
  mkdir -p "$W/.git/modules/$m/hooks" "$W/.git/modules/$m/objects"
  echo 'ref: refs/heads/main' > "$W/.git/modules/$m/HEAD"
  printf '[core]\n\tworktree = ../../x\n' > "$W/.git/modules/$m/config"
  echo '#!/bin/sh' > "$W/.git/modules/$m/hooks/post-checkout"
done
sum() { (cd "$W" && find . -type f -print0 | sort -z | xargs -0 sha256sum; find . | sort); }
before=$(sum)

rc=0
out=$("$SANDBOX" --rw "$W" -- sh -c '
  echo "touch /tmp/pwned" > .git/hooks/x && echo WROTE-hook-new
  echo "touch /tmp/pwned" >> .git/hooks/pre-commit && echo WROTE-hook
  rm -f .git/hooks/pre-commit && echo RM-hook
  printf "[core]\n\tfsmonitor = evil\n" >> .git/config && echo WROTE-config
  rm -f .git/config && echo RM-config
  mv .git .git2 && echo MOVED-git
  mv .git/hooks .git/hooks2 && echo MOVED-hooks
  mv .git/config .git/config2 && echo MOVED-config
  rm -rf .git/hooks && echo RM-hooks-dir
  echo evil >> .bashrc && echo WROTE-bashrc
  mv .bashrc .bashrc2 && echo MOVED-bashrc
  echo evil >> .profile && echo WROTE-profile
  echo evil > .mcp.json && echo WROTE-mcp
  echo evil > .deskhand/rules && echo WROTE-deskhand
  mv .deskhand .deskhand2 && echo MOVED-deskhand
  for m in lib lib/modules/inner vendor/tool; do
    echo "touch /tmp/pwned" > .git/modules/$m/hooks/post-merge && echo WROTE-sub-hook-new
    echo "touch /tmp/pwned" >> .git/modules/$m/hooks/post-checkout && echo WROTE-sub-hook
    printf "[core]\n\tfsmonitor = evil\n" >> .git/modules/$m/config && echo WROTE-sub-config
    rm -f .git/modules/$m/config && echo RM-sub-config
    mv .git/modules/$m .git/modules/$m.x && echo MOVED-sub
    touch .git/modules/$m/objects/new && echo sub-objects-writable-$m
  done
  mv .git/modules .git/modules.x && echo MOVED-modules
  mv .git/modules/vendor .git/modules/vendor.x && echo MOVED-sub-prefix
  touch .git/objects/new && echo objects-writable
  echo ok > ok && echo grant-writable' 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
for w in WROTE- RM- MOVED-; do assert_not_contains "$out" "$w"; done
assert_contains "$out" objects-writable
for m in lib lib/modules/inner vendor/tool; do
  assert_contains "$out" "sub-objects-writable-$m"
  rm "$W/.git/modules/$m/objects/new"
done
assert_contains "$out" grant-writable
rm "$W/.git/objects/new" "$W/ok"
assert_eq "$(sum)" "$before" "protected files changed on the host"
[ ! -e /tmp/pwned ] || fail "/tmp/pwned exists"
echo ok
