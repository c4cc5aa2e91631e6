# `deskhand config`: every setting in effect with where it came from (the
# default, the person's config FILE:LINE, $DH_CONFIG, ANTHROPIC_BASE_URL, the
# managed policy) and the policy's locks marked; KEY and --json; exit 1 for
# a config or policy that does not load, 2 for usage. `deskhand doctor`
# shows the managed policy: none, accepted with its locks and rules, or
# refused (a failure naming the file). A locked base_url holds against
# ANTHROPIC_BASE_URL and a `provider` line: a session goes where the policy
# says.
. "$DH_TESTS/lib.sh"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "$(dirname "$cfg")"
printf '# mine\nset theme = mono\nset max_turns = 30\n' >"$cfg"
printf 'set max_turns = 40\nallow egress pypi.org\n' >"$T/extra"
export DH_CONFIG=$T/extra
line() { "$DESKHAND" config "$1"; }

# No policy: defaults, the person's FILE:LINE, the later file wins.
[ -e /etc/deskhand/policy ] && skip "this machine has its own /etc/deskhand/policy"
out=$("$DESKHAND" config) || fail "config failed"
assert_contains "$out" "$(printf '%-44s # default' 'set mode = ask')"
assert_eq "$(line theme)" "$(printf '%-44s # %s' 'set theme = mono' "$cfg:2")"
assert_eq "$(line max_turns)" "$(printf '%-44s # %s' 'set max_turns = 40' "$T/extra:1")"
assert_contains "$out" "$(printf '%-44s # %s' 'allow egress pypi.org' "$T/extra:2")"
assert_contains "$out" "# no managed policy (/etc/deskhand/policy does not exist)"
# one line per option of the table (the same as --dump-config's)
assert_eq "$(grep -c '^set ' <<<"$out")" "$("$DESKHAND" --dump-config | grep -c '^set ')"
# what it prints reads back as a config (the origins are comments)
grep '^set ' <<<"$out" >"$T/again"
DH_CONFIG=$T/again "$DESKHAND" --dump-config >"$T/back" || fail "the output does not read back"
# an option whose value is empty reads back empty, not as its comment
assert_eq "$(grep '^set audit_key' "$T/back")" "set audit_key = " "audit_key read back"
# the environment's override, named
assert_eq "$(ANTHROPIC_BASE_URL=http://127.0.0.1:9 line base_url)" \
  "$(printf '%-44s # env ANTHROPIC_BASE_URL' 'set base_url = http://127.0.0.1:9')"
j=$("$DESKHAND" config --json)
assert_eq "$(jq -r '.settings[] | select(.name=="theme") | [.value, .from, .where, .default] | @tsv' <<<"$j")" \
  "$(printf 'mono\tfile\t%s\tdefault' "$cfg:2")"
assert_eq "$(jq -r '.settings[] | select(.name=="mode") | [.from, (.where // "-")] | @tsv' <<<"$j")" "$(printf 'default\t-')"
assert_eq "$(jq -r '.policy' <<<"$j")" null
assert_eq "$(jq -r '.egress[0] | [.host, .from] | @tsv' <<<"$j")" "$(printf 'pypi.org\tfile')"
assert_eq "$("$DESKHAND" config --json watch | jq -r '[.name, .value, .from] | @tsv')" "$(printf 'watch\ton\tdefault')"
# usage and a bad config
rc=0; "$DESKHAND" config colour >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 2; assert_contains "$(cat "$T/err")" "no setting 'colour'"
rc=0; "$DESKHAND" config --bogus >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 2
"$DESKHAND" config --help | grep -q -- '--json' || fail "no --help"
printf 'set mode = sometimes\n' >"$T/bad"
rc=0; DH_CONFIG=$T/bad "$DESKHAND" config >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1; assert_contains "$(cat "$T/err")" "$T/bad:1: 'mode' must be one of ask|auto"
# bash completion offers the settings' names
c=$(PATH=$DH_BUILD:$PATH bash -c '. "$1"; COMP_WORDS=(deskhand config max_tu); COMP_CWORD=2; _deskhand; echo "${COMPREPLY[@]}"' \
  _ "$DH_TESTS/../contrib/completion/deskhand.bash")
assert_eq "$c" "max_turns"

# A managed policy: its values, its locks, its lines.
[ "$(id -u)" = 0 ] || skip "a managed policy must be root's: run as root"
P=$T/etc/policy; mkdir -p "$T/etc"
cat >"$P" <<'POL'
set mode = ask
set max_cost = 5
lock audit
deny run_command(curl)
allow egress pypi.org
allow mcp drive
lock base_url
POL
chmod 644 "$P"
export DH_POLICY_FILE=$P
printf 'set theme = mono\n' >"$cfg"; : >"$T/extra"
assert_eq "$(line mode)" "$(printf '%-44s # managed policy %s, locked' 'set mode = ask' "$P:1")"
assert_eq "$(line max_cost)" "$(printf '%-44s # managed policy %s, locked' 'set max_cost = 5' "$P:2")"
assert_eq "$(line audit)" "$(printf '%-44s # default, locked by the managed policy (%s)' 'set audit = on' "$P:3")"
assert_eq "$(line theme)" "$(printf '%-44s # %s' 'set theme = mono' "$cfg:1")"
# a locked base_url: the environment's is ignored, and said so
assert_eq "$(ANTHROPIC_BASE_URL=http://127.0.0.1:9 line base_url)" \
  "$(printf '%-44s # default, locked by the managed policy (%s) (ANTHROPIC_BASE_URL is ignored)' \
     'set base_url = https://api.anthropic.com' "$P:7")"
out=$("$DESKHAND" config)
assert_contains "$out" "$(printf '%-44s # managed policy %s' 'allow egress pypi.org' "$P:5")"
assert_contains "$out" "$(printf '%-44s # managed policy %s: no other host' '# egress allowlist locked' "$P:5")"
assert_contains "$out" "$(printf '%-44s # managed policy %s' 'allow mcp drive' "$P:6")"
assert_contains "$out" "# 1 permission rule of the managed policy ($P): deskhand rules lists them"
j=$("$DESKHAND" config --json)
assert_eq "$(jq -r '.settings[] | select(.name=="mode") | [.from, .where, .locked] | @tsv' <<<"$j")" \
  "$(printf 'policy\t%s\t%s' "$P:1" "$P:1")"
assert_eq "$(jq -r '.policy | [.file, .locks.audit, .rules[0].rule, .egress[0].host, .mcp[0].allow] | @tsv' <<<"$j")" \
  "$(printf '%s\t%s\tdeny run_command(curl)\tpypi.org\tmcp drive' "$P" "$P:3")"
# the person's provider line may not move a locked endpoint
printf 'provider anthropic base_url = http://127.0.0.1:9\n' >"$cfg"
rc=0; "$DESKHAND" config >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "$cfg:1: provider anthropic: base_url is locked by the managed policy ($P:7)"
: >"$cfg"

# doctor: the policy accepted, with its locks and rules
d=$("$DESKHAND" doctor) || true
assert_contains "$d" "ok   managed policy $P: accepted (owned by root, mode 0644; locks 6, rules 1, connector lines 1)"
assert_contains "$d" "     lock mode = ask ($P:1)"
assert_contains "$d" "     lock audit = on ($P:3)"
assert_contains "$d" "     deny run_command(curl) ($P:4)"
assert_contains "$d" "     allow egress pypi.org ($P:5)"
assert_contains "$d" "     allow mcp drive ($P:6)"
dj=$("$DESKHAND" doctor --json) || true
assert_eq "$(jq -r '.policy | [.path, .status, .owner, .mode, .locks.max_cost] | @tsv' <<<"$dj")" \
  "$(printf '%s\taccepted\t0\t0644\t%s' "$P" "$P:2")"
assert_eq "$(jq -r '.checks[] | select(.name=="managed-policy") | .status' <<<"$dj")" ok
# refused: a failure naming the file and the fix; config exits 1 the same
chmod 664 "$P"
rc=0; dj=$("$DESKHAND" doctor --json) || rc=$?
assert_eq "$rc" 1
assert_eq "$(jq -r '.checks[] | select(.name=="managed-policy") | [.status, .detail] | @tsv' <<<"$dj")" \
  "$(printf 'fail\tmanaged policy %s: refused: writable by its group (mode 0664: chmod go-w %s)' "$P" "$P")"
assert_eq "$(jq -r '.policy.status' <<<"$dj")" refused
rc=0; "$DESKHAND" config >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1; assert_contains "$(cat "$T/err")" "managed policy $P: refused: writable by its group"
chmod 644 "$P"
# none
rm "$P"
dj=$("$DESKHAND" doctor --json) || true
assert_eq "$(jq -r '.policy.status' <<<"$dj")" none
assert_eq "$(jq -r '.checks[] | select(.name=="managed-policy") | [.status, .detail] | @tsv' <<<"$dj")" \
  "$(printf 'info\tmanaged policy: none (%s does not exist)' "$P")"

# A session under a policy that sets base_url: the environment cannot send
# the model's requests elsewhere.
G=$T/work; mkdir -p "$G"
echo '{"turns": [{"text": "Hi.", "stop_reason": "end_turn"}]}' >"$T/script.json"
start_fake "$T/script.json"
printf 'set base_url = %s\n' "$FAKE_URL" >"$P"; chmod 644 "$P"
ANTHROPIC_BASE_URL=http://127.0.0.1:9 "$DESKHAND" run --grant "$G" --json "hello" >"$T/out" 2>"$T/err" \
  || { cat "$T/err"; fail "the run did not reach the policy's endpoint"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done
[ -s "$FAKE_LOG" ] || fail "the policy's endpoint saw no request"
echo ok
