# run_command in a folder of projects: a repository at any depth has its
# hooks and config read-only inside the sandbox, those deeper than one folder
# down because deskhand's watcher names them to the sandbox (--repo). A
# repository made by one command is protected in the next turn's. A git
# directory entry that was missing (commondir), which no mount can protect, is
# reported when a command makes it and moved aside. (That the
# first command waits for the watcher's first walk is a unit test's:
# tool/run_command_names_the_nested_repositories.)
. "$DH_TESTS/lib.sh"
G=$T/code
for r in a org/b org/team/c org/b/vendor/d; do
  mkdir -p "$G/$r/.git/hooks" "$G/$r/.git/objects"
  printf '[core]\n\tbare = false\n' > "$G/$r/.git/config"
  echo "ref: refs/heads/main" > "$G/$r/.git/HEAD"
done
sum() { (cd "$G" && find . -path '*/.git/*' -type f -print0 | sort -z | xargs -0 sha256sum); }
before=$(sum)
attack() { # one command writing a hook and the config of each repository named
  local c="" r
  for r in "$@"; do
    c="$c echo 'touch /tmp/pwned' > $r/.git/hooks/post-checkout && echo WROTE-hook $r;"
    c="$c printf '[core]\\\\n\\\\tfsmonitor = evil\\\\n' >> $r/.git/config && echo WROTE-config $r;"
    c="$c mv $r/.git $r/.git.old && echo MOVED-git $r;"
  done
  printf '%s touch org/b/.git/objects/new && echo objects-writable' "$c"
}
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "probe"}]}}]},
 {"tool_calls": [
   {"name": "run_command", "input": {"command": "$(attack a org/b org/team/c org/b/vendor/d)"}},
   {"name": "run_command", "input": {"command": "git init -q -b main late/x && echo made"}},
   {"name": "run_command", "input": {"command": "echo evil > org/team/c/.git/commondir && echo created-commondir"}}
 ]},
 {"tool_calls": [
   {"name": "run_command", "input": {"command": "$(attack late/x)"}}
 ]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
jq -e . "$T/script.json" >/dev/null || fail "bad script"
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "probe" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | .output' <<<"$out")
echo "$res" | head -40
grep -q "sandbox helper" <<<"$res" && fail "the sandbox helper was not found"
assert_contains "$res" objects-writable
# a git directory entry that was missing cannot be bound read-only: the
# command made it, and deskhand reports it and moves it aside
assert_contains "$res" created-commondir
assert_contains "$res" "this command created $G/org/team/c/.git/commondir"
[ ! -e "$G/org/team/c/.git/commondir" ] || fail "the created commondir is still there"
assert_eq "$(cat "$G/org/team/c/.git/commondir.removed-by-deskhand-1")" evil
assert_contains "$res" made
for w in WROTE- MOVED-; do assert_not_contains "$res" "$w"; done
rm -f "$G/org/b/.git/objects/new"
assert_eq "$(sum | grep -v -e late/ -e commondir.removed)" "$before" "protected files changed on the host"
[ ! -e "$G/late/x/.git/hooks/post-checkout" ] || fail "late/x's hook was written"
[ ! -e /tmp/pwned ] || fail "/tmp/pwned exists"
echo ok
