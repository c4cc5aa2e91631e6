#!/usr/bin/env bash
# Every entry of the mandatory-deny list (sandbox/protected_paths.h, read here from
# the header itself, so an entry added there is tested here) stays read-only inside
# a --rw grant when it exists: a file cannot be written, replaced or removed; a
# directory gets no new file and its files cannot be written; neither can be moved
# away, nor can the directory on the way to a nested one (.claude, .config, .local),
# which is pinned. The rest of the grant, and of those directories, stays writable.
# The host's files are unchanged.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
H=$DH_TESTS/../sandbox/protected_paths.h
mapfile -t entries < <(sed -n '/define SANDBOX_PROTECTED_PATHS/,/^$/s/^[[:space:]]*X("\([^"]*\)", \([01]\)).*/\1 \2/p' "$H")
[ ${#entries[@]} -ge 30 ] || fail "read only ${#entries[@]} entries from $H"

W=$T/work; mkdir -p "$W"
script=
for e in "${entries[@]}"; do
  p=${e% *} dir=${e#* }
  mkdir -p "$W/$(dirname "$p")"
  if [ "$dir" = 1 ]; then
    mkdir -p "$W/$p"; echo "orig" > "$W/$p/f"
    script+="echo evil >> '$p/f' && echo 'WROTE $p/f'
echo evil > '$p/new' && echo 'CREATED $p/new'
rm -f '$p/f' && echo 'RM $p/f'
"
  else
    echo "orig" > "$W/$p"
    script+="echo evil >> '$p' && echo 'WROTE $p'
rm -f '$p' && echo 'RM $p'
"
  fi
  script+="mv '$p' '$p.moved' && echo 'MOVED $p'
"
  case $p in */*) top=${p%%/*}; script+="mv '$top' '$top.moved' && echo 'MOVED $top'
";; esac
done
# Beside them, still writable: a new file next to a nested entry, and the grant itself.
mkdir -p "$W/.config/other"
script+="echo ok > .config/other/x && echo config-writable
echo ok > .claude/notes.md && echo claude-writable
echo ok > ok && echo grant-writable
"
sum() { (cd "$W" && find . -type f -print0 | sort -z | xargs -0 sha256sum; find . | sort); }
before=$(sum)

rc=0
out=$("$SANDBOX" --rw "$W" -- sh -c "$script" 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
for w in WROTE CREATED RM MOVED; do assert_not_contains "$out" "$w "; done
for w in config-writable claude-writable grant-writable; do assert_contains "$out" "$w"; done
rm "$W/.config/other/x" "$W/.claude/notes.md" "$W/ok"
assert_eq "$(sum)" "$before" "protected files changed on the host"

echo ok
