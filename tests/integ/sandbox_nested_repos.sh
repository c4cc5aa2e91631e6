#!/usr/bin/env bash
# A repository one folder down in a --rw grant (a folder of projects) is protected as the
# grant's own: its hooks and config, and its submodules', are read-only; neither its .git
# nor its folder can be renamed away; its objects and work tree stay writable. A repository
# in a nested --ro grant stays wholly read-only (the pins add no writable mount there).
# Deeper ones are protected when the caller names them (--repo, as deskhand's watcher does),
# with every folder on the way pinned; a --repo that does not exist, is not a repository, or
# leads out of the grants by a symlink changes nothing. Every entry of
# SANDBOX_GIT_DIR_ENTRIES (read from sandbox/protected_paths.h: what points git at
# another config and hooks, commondir and the like) is read-only in each of those
# git directories, and so is a .git file (a submodule checkout's or a worktree's
# "gitdir:"), one folder down or named.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
W=$T/work
for r in a ro org/b org/team/c; do
  mkdir -p "$W/$r/.git/hooks" "$W/$r/.git/objects" "$W/$r/.git/modules/s/hooks"
  echo '#!/bin/sh' > "$W/$r/.git/hooks/pre-commit"
  printf '[core]\n\tbare = false\n' > "$W/$r/.git/config"
  echo 'ref: refs/heads/main' > "$W/$r/.git/modules/s/HEAD"
  printf '[core]\n' > "$W/$r/.git/modules/s/config"
  echo "orig $r" > "$W/$r/README"
done
mkdir -p "$W/plain" "$W/org/notrepo" "$T/outside/.git/hooks" "$W/sub1" "$W/org/wt"
echo "gitdir: ../a/.git/modules/s" > "$W/sub1/.git"
echo "gitdir: $T/outside/.git" > "$W/org/wt/.git"
H=$DH_TESTS/../sandbox/protected_paths.h
mapfile -t gentries < <(sed -n '/define SANDBOX_GIT_DIR_ENTRIES/,/^$/s/^[[:space:]]*X("\([^"]*\)", \([01]\)).*/\1 \2/p' "$H")
[ ${#gentries[@]} -ge 5 ] || fail "read only ${#gentries[@]} git directory entries from $H"
gscript=
for gd in a/.git org/b/.git org/team/c/.git a/.git/modules/s; do
  for e in "${gentries[@]}"; do
    n=${e% *} dir=${e#* }
    if [ "$dir" = 1 ]; then
      mkdir -p "$W/$gd/$n"; echo orig > "$W/$gd/$n/f"
      gscript+="echo evil >> $gd/$n/f && echo WROTE-g $gd/$n/f
echo evil > $gd/$n/new && echo WROTE-g $gd/$n/new
"
    else
      echo orig > "$W/$gd/$n"
      gscript+="echo evil >> $gd/$n && echo WROTE-g $gd/$n
rm -f $gd/$n && echo RM-g $gd/$n
"
    fi
    gscript+="mv $gd/$n $gd/$n.moved && echo MOVED-g $gd/$n
"
  done
done
for f in sub1/.git org/wt/.git; do
  gscript+="echo 'gitdir: /tmp/evil' > $f && echo WROTE-gitfile $f
rm -f $f && echo RM-gitfile $f
mv $f $f.moved && echo MOVED-gitfile $f
"
done
ln -s "$T/outside" "$W/org/link"
sum() { (cd "$W" && find . -type f -print0 | sort -z | xargs -0 sha256sum; find . | sort); }
before=$(sum)

# What the commands try in each repository deeper than one folder down.
deepscript='
  for r in org/b org/team/c; do
    echo "touch /tmp/pwned" > $r/.git/hooks/post-checkout && echo WROTE-deep-hook-new $r
    echo "touch /tmp/pwned" >> $r/.git/hooks/pre-commit && echo WROTE-deep-hook $r
    printf "[core]\n\tfsmonitor = evil\n" >> $r/.git/config && echo WROTE-deep-config $r
    echo evil > $r/.git/modules/s/hooks/post-checkout && echo WROTE-deep-sub-hook $r
    mv $r/.git $r/.git2 && echo MOVED-deep-git $r
    mv $r $r.2 && echo MOVED-deep-repo $r
    touch $r/.git/objects/new && echo deep-objects-writable
  done'
rc=0
out=$("$SANDBOX" --rw "$W" --ro "$W/ro" --chdir "$W" --repo "$W/org/b" --repo "$W/org/team/c" \
  --repo "$W/org/notrepo" --repo "$W/org/link" --repo "$W/missing" --repo "$T/outside" \
  --repo "$W/org/wt" -- sh -c "$gscript"'
  echo "touch /tmp/pwned" > a/.git/hooks/post-checkout && echo WROTE-hook-new
  echo "touch /tmp/pwned" >> a/.git/hooks/pre-commit && echo WROTE-hook
  printf "[core]\n\tfsmonitor = evil\n" >> a/.git/config && echo WROTE-config
  rm -f a/.git/config && echo RM-config
  echo evil > a/.git/modules/s/hooks/post-checkout && echo WROTE-sub-hook
  echo evil >> a/.git/modules/s/config && echo WROTE-sub-config
  mv a/.git/hooks a/.git/hooks2 && echo MOVED-hooks
  mv a/.git a/.git2 && echo MOVED-git
  mv a a2 && echo MOVED-repo
  touch ro/.git/objects/new && echo WROTE-ro-objects
  echo evil > ro/.git/hooks/post-checkout && echo WROTE-ro-hook
'"$deepscript"'
  mv org/team org/team2 && echo MOVED-way-team
  mv org org2 && echo MOVED-way-org
  touch org/notrepo/x && echo notrepo-writable
  touch a/.git/objects/new && echo objects-writable
  echo ok > a/new && echo tree-writable
  mv plain plain2 && mv plain2 plain && echo plain-movable' 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
for w in WROTE- RM- MOVED-; do assert_not_contains "$out" "$w"; done
for w in objects-writable tree-writable plain-movable notrepo-writable; do assert_contains "$out" "$w"; done
assert_eq "$(grep -c deep-objects-writable <<<"$out")" 2 "$out"
rm "$W/a/.git/objects/new" "$W/a/new" "$W/org/b/.git/objects/new" "$W/org/team/c/.git/objects/new" \
  "$W/org/notrepo/x"
assert_eq "$(sum)" "$before" "protected files changed on the host"
[ ! -e /tmp/pwned ] || fail "/tmp/pwned exists"

# --find-repos (a connector's server, whose caller has no watcher to name them): the
# helper finds org/b, org/team/c and org/wt's .git file itself, and protects them as
# named ones; not one in node_modules, nor one more than 6 folders down.
mkdir -p "$W/node_modules/p/.git/hooks" "$W/x/y/z/w/v/u/t/.git/hooks"
rc=0
out=$("$SANDBOX" --rw "$W" --ro "$W/ro" --chdir "$W" --find-repos -- sh -c "$gscript"'
'"$deepscript"'
  touch node_modules/p/.git/hooks/x && echo node-modules-writable
  touch x/y/z/w/v/u/t/.git/hooks/x && echo seventh-writable' 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
for w in WROTE- RM- MOVED-; do assert_not_contains "$out" "$w"; done
assert_eq "$(grep -c deep-objects-writable <<<"$out")" 2 "$out"
# the bounds (sandbox/README.md, "Known gaps"): there, a walk stops
assert_contains "$out" node-modules-writable
assert_contains "$out" seventh-writable
rm -r "$W/org/b/.git/objects/new" "$W/org/team/c/.git/objects/new" "$W/node_modules" "$W/x"
assert_eq "$(sum)" "$before" "protected files changed on the host (--find-repos)"
[ ! -e /tmp/pwned ] || fail "/tmp/pwned exists"
rc=0
"$SANDBOX" --rw "$W" --find-repos --repo "$W/org/b" -- true 2>"$T/err" || rc=$?
assert_eq "$rc" 125 "--find-repos with --repo"
assert_contains "$(cat "$T/err")" "--find-repos finds what --repo names: give one or the other"
echo ok
