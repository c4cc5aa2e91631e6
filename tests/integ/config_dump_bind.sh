# --dump-config says whether the configuration loads (exit 1 naming the
# line when it does not): a `bind` line the workbench refuses is such a
# line, where the dump printed it and exited 0 while the workbench would
# not start on that file.
. "$DH_TESTS/lib.sh"
cfg=$T/c.conf
printf 'set mode = auto\nbind transcript x quit\nbind transcript y bogus-action\n' >"$cfg"
rc=0; DH_CONFIG=$cfg "$DESKHAND" --dump-config >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "the exit status of a dump with a bad bind line"
assert_eq "$(cat "$T/err")" \
  "deskhand: $cfg:3: bind: unknown action 'bogus-action' (the names '?' shows)"
assert_eq "$(cat "$T/out")" "" "what the refused dump printed"
rc=0; ANTHROPIC_API_KEY=k DH_CONFIG=$cfg "$DESKHAND" --grant "$T" 2>"$T/wb.err" </dev/null || rc=$?
assert_eq "$rc" 1 "the workbench's exit status on the same file"
assert_contains "$(cat "$T/wb.err")" "$cfg:3: bind: unknown action 'bogus-action'"
# A good one is dumped.
printf 'bind transcript x quit\n' >"$cfg"
DH_CONFIG=$cfg "$DESKHAND" --dump-config >"$T/out" 2>"$T/err" || fail "dump exited $?: $(cat "$T/err")"
assert_contains "$(cat "$T/out")" "bind transcript x quit"
echo ok
