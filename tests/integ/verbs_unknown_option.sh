# Every verb refuses an option it does not know, or an option left without
# its value, as a usage error (2) whose message starts "deskhand VERB:" and
# names the option as given, before the verb's usage. getopt's own message
# ("inbox: unrecognized option '--bogus'") named the verb as if it were the
# program.
. "$DH_TESTS/lib.sh"
export XDG_RUNTIME_DIR=$T/run; mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
# refused EXPECTED USAGE ARGS...: `deskhand ARGS` exits 2, prints nothing on
# stdout, and its stderr is EXPECTED then the usage, which begins with USAGE
refused() {
  local want=$1 usage=$2 rc=0; shift 2
  "$DESKHAND" "$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?
  assert_eq "$rc" 2 "exit status of deskhand $*"
  assert_eq "$(head -1 "$T/err")" "$want" "the first line of deskhand $*'s message"
  assert_contains "$(sed -n 2p "$T/err")" "$usage" "the usage after deskhand $*'s message"
  assert_not_contains "$(cat "$T/err")" "unrecognized"
  assert_eq "$(cat "$T/out")" "" "what deskhand $* printed"
}
for verb in inbox skills review sessions log diff undo redo restore accept accept-hunk \
            reject reject-hunk attach warm; do
  refused "deskhand $verb: unknown option '--bogus'" "usage: deskhand $verb" $verb --bogus
done
refused "deskhand log: unknown option '-x'" "usage: deskhand log" log -x
refused "deskhand review: unknown option '-q'" "usage: deskhand review" review -sx -q
refused "deskhand log: option needs a value: '--session'" "usage: deskhand log" log --session
refused "deskhand undo: option needs a value: '-n'" "usage: deskhand undo" undo -n
refused "deskhand skills: option needs a value: '--grant'" "usage: deskhand skills" \
  skills --grant
refused "deskhand inbox: option needs a value: '--dismiss'" "usage: deskhand inbox" \
  inbox --dismiss
refused "deskhand audit verify: unknown option '--bogus'" "usage: deskhand audit" \
  audit verify --bogus
refused "deskhand mcp client: unknown option '--bogus'" "usage: deskhand mcp client" \
  mcp client --bogus
for v in list remove trust tools; do
  refused "deskhand mcp $v: unknown option '--bogus'" "usage: deskhand mcp $v" mcp $v --bogus
done
echo ok
