# A submodule's git directory (.git/modules/NAME, in the grant's own
# repository or in a nested one, NAME possibly with a slash) has its hooks
# and config read-only inside the sandbox; an entry missing there (commondir,
# config.worktree), which no mount can protect, is reported when a command
# makes it and moved aside at the checkpoint after the command, as in a
# nested repository's own git directory (nested_repos_command).
. "$DH_TESTS/lib.sh"
G=$T/code
subgit() { # DIR: a submodule's git directory, without commondir or config.worktree
  mkdir -p "$1/hooks" "$1/objects"
  printf '[core]\n\tbare = false\n' > "$1/config"
  echo "ref: refs/heads/main" > "$1/HEAD"
}
mkdir -p "$G/.git/objects" "$G/org/b/.git/objects"
echo "ref: refs/heads/main" > "$G/.git/HEAD"; printf '[core]\n' > "$G/.git/config"
echo "ref: refs/heads/main" > "$G/org/b/.git/HEAD"; printf '[core]\n' > "$G/org/b/.git/config"
subgit "$G/.git/modules/lib"
subgit "$G/.git/modules/ns/deep"
subgit "$G/org/b/.git/modules/x"
cmd="echo evil > .git/modules/lib/commondir && echo made-1;"
cmd="$cmd echo evil > .git/modules/ns/deep/config.worktree && echo made-2;"
cmd="$cmd echo evil > org/b/.git/modules/x/commondir && echo made-3;"
cmd="$cmd echo x > .git/modules/lib/hooks/post-checkout && echo WROTE-hook;"
cmd="$cmd echo x >> org/b/.git/modules/x/config && echo WROTE-config;"
cmd="$cmd touch .git/modules/lib/objects/new && echo objects-writable"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "probe"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "$cmd"}}]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
run_task "$T/script.json" "$T/out"
out=$(cat "$T/out")
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | .output' <<<"$out")
echo "$res" | head -20
grep -q "sandbox helper" <<<"$res" && fail "the sandbox helper was not found"
for w in made-1 made-2 made-3 objects-writable; do assert_contains "$res" "$w"; done
for w in WROTE-hook WROTE-config; do assert_not_contains "$res" "$w"; done
for p in .git/modules/lib/commondir .git/modules/ns/deep/config.worktree \
    org/b/.git/modules/x/commondir; do
  assert_contains "$res" "this command created $G/$p, which changes what git runs"
  [ ! -e "$G/$p" ] || fail "the created $p is still there"
  assert_eq "$(cat "$G/$p.removed-by-deskhand-1")" evil "$p, moved aside"
done
# the person sees each as an audit event too
audits=$(jq -r 'select(.type=="audit" and .name=="run_command").detail' <<<"$out")
for p in .git/modules/lib/commondir .git/modules/ns/deep/config.worktree \
    org/b/.git/modules/x/commondir; do
  assert_contains "$audits" "$G/$p"
done
[ ! -e "$G/.git/modules/lib/hooks/post-checkout" ] || fail "the submodule's hook was written"
echo ok
