# An argument a command refuses is named in its error as names are shown
# (review, ls: a control character in caret notation, a byte that is not
# UTF-8 as \xHH), so "deskhand ls $'--x\e]0;owned\a'" cannot retitle the
# terminal, colour it or forge a line of the message. The usage errors
# echoed the argument raw: unknown commands and options, unexpected
# arguments, bad values, a session or checkpoint that is not there.
. "$DH_TESTS/lib.sh"
[ -x "$DESKHAND" ] || fail "$DESKHAND not built"
mkdir -p "$T/work"; cd "$T/work"
A=$'x\e[31m\e]0;owned\a\nforged\xff'
shown='x^[[31m^[]0;owned^G^Jforged\xff'
n=0
check() { # ARGS...: refused, and the argument shown, not echoed
	local rc=0 out
	out=$("$DESKHAND" "$@" 2>&1 </dev/null) || rc=$?
	n=$((n + 1))
	[ "$rc" -ne 0 ] || fail "deskhand $1 …: exit 0: $out"
	if printf '%s' "$out" | grep -q $'[\033\a]'; then
		printf '%s\n' "$out" | cat -A | head -5
		fail "deskhand $1 … printed the argument's control characters"
	fi
	if printf '%s\n' "$out" | grep -q '^forged'; then
		printf '%s\n' "$out" | cat -A | head -5
		fail "deskhand $1 … printed a forged line"
	fi
	assert_contains "$out" "$shown" "deskhand $1 …"
}
check "$A"                              # unknown command
check ls "--$A"                         # unknown option
check ls "$A"                           # unexpected argument
check sessions "$A"
check inbox "$A"
check log --session "$A"                # no session
check diff --session "$A"
check undo "$A"
check redo "$A"
check restore a "$A"
check models "$A"
check usage "$A"
check usage --by "$A"
check skills "$A"
check skills trust b "$A"
check audit "$A"
check audit verify --since "$A"
check config "-$A"
check config "$A"
check doctor "$A"
check rules "$A"
check mcp "$A"
check mcp add x "--$A"
check mcp add x --env "$A"
check mcp client "--$A"
check schedule "$A"
check schedule list "$A"
check schedule remove "$A"
check schedule log "$A"
check schedule add "$A" --at daily --grant "$T/work" task
check schedule add "--$A"
check schedule add name --at "$A" --grant "$T/work" task
check run --grant "$T/work" "--$A" task
check run --grant "$T/work" task "$A"
check run --grant "$T/work" --origin "$A" task
check attach "$A"
check warm "$A"
echo "ok ($n commands)"
