#!/usr/bin/env bash
# --print-argv for fixed inputs matches tests/fixtures/sandbox_argv.golden (the temp dir is
# replaced by @T@, the helper's own path by @SANDBOX@). Regenerate after an intended policy
# change with DH_UPDATE_GOLDEN=1.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
golden=$DH_TESTS/fixtures/sandbox_argv.golden
W=$T/work
mkdir -p "$W/.git/hooks" "$W/sub" "$T/ro"
touch "$W/.git/config" "$W/.bashrc" "$W/.mcp.json"
ln -s /etc/hostname "$W/.profile"   # points outside the grant: nothing to protect
ln -s work/sub "$T/link"            # grants are canonicalized
out=$("$SANDBOX" --bwrap /usr/bin/bwrap --rw "$W" --ro "$T/ro" --rw "$T/link" --chdir "$W/sub" \
      --timeout 30 --env CI=1 --env EMPTY= --print-argv -- sh -c 'echo "$1"' sh '--bind / /' | sed "s|$T|@T@|g; s|$(readlink -f "$SANDBOX")|@SANDBOX@|g")
if [ -n "${DH_UPDATE_GOLDEN:-}" ]; then printf '%s\n' "$out" > "$golden"; echo "updated $golden"; fi
diff -u "$golden" <(printf '%s\n' "$out") || fail "--print-argv differs from $golden"
echo ok
