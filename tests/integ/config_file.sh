# The config file: `set theme = NAME` is an option (the workbench's theme);
# a ` # comment` after a value is a comment, a quoted or unspaced '#' is
# not; bad values name FILE:LINE and the allowed values (from the options
# table); --theme/`set theme` naming no theme is an error (exit 2) listing the
# themes; -V prints the version. contrib/deskhandrc.example lists every option
# of the table with its default, so it cannot drift from CONFIG_OPTIONS.
. "$DH_TESTS/lib.sh"
src=$(cd "$DH_TESTS/.." && pwd)
export DH_THEMES_DIR=$src/themes
cfg=$T/config
dump() { DH_CONFIG=$cfg "$DESKHAND" --dump-config; }
val() { dump | sed -n "s/^set $1 = //p"; }

cat >"$cfg" <<'CFG'
# a comment line
set mode = auto # why: trusted folder
set theme = light	# tab before the hash
set model = "claude #1"  # a quoted hash stays
set base_url = http://127.0.0.1:9/#frag
allow egress api.github.com                # ports 80 and 443
CFG
dump >/dev/null 2>"$T/err" || fail "config with comments refused: $(cat "$T/err")"
assert_eq "$(val mode)" auto
assert_eq "$(val theme)" light
assert_eq "$(val model)" '"claude #1"'
assert_eq "$(val base_url)" "http://127.0.0.1:9/#frag"
assert_eq "$(dump | grep '^allow egress')" "allow egress api.github.com"

# Bad values: FILE:LINE and the values the table allows.
printf 'set watch = on\nset mode = yolo\n' >"$cfg"
rc=0; dump >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "$cfg:2: 'mode' must be one of ask|auto, not 'yolo'"
printf 'set mode = ask|auto\n' >"$cfg"
rc=0; dump >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "mode = ask|auto"
printf 'set watch = sometimes\n' >"$cfg"
rc=0; dump >/dev/null 2>"$T/err" || rc=$?
assert_contains "$(cat "$T/err")" "$cfg:1: 'watch' must be one of on|off"
printf 'set colour = blue\n' >"$cfg"
rc=0; dump >/dev/null 2>"$T/err" || rc=$?
assert_contains "$(cat "$T/err")" "$cfg:1: unknown option 'colour'"
# A URL is one (base_url, otel_endpoint), named with FILE:LINE when read, not
# when the first request fails four times; an amount is digits and a point.
for bad in "not a url" "ftp://x" "http://" "http://[::1" "https:// x" "http://h:99999/" "http://h:0" "http://h:12x/" "http://[::1]x"; do
  printf 'set mode = ask\nset base_url = %s\n' "$bad" >"$cfg"
  rc=0; dump >/dev/null 2>"$T/err" || rc=$?
  assert_eq "$rc" 1 "base_url = $bad"
  assert_contains "$(cat "$T/err")" "$cfg:2: 'base_url' must be an http:// or https:// URL with a host, not '$bad'"
done
printf 'set otel_endpoint = localhost:4318\n' >"$cfg"
rc=0; dump >/dev/null 2>"$T/err" || rc=$?
assert_contains "$(cat "$T/err")" "$cfg:1: 'otel_endpoint' must be an http:// or https:// URL"
for good in "http://[::1]:8080/v1" "https://api.example.com" "http://localhost"; do
  printf 'set base_url = %s\n' "$good" >"$cfg"
  dump >/dev/null 2>"$T/err" || fail "base_url = $good refused: $(cat "$T/err")"
done
for bad in 0x10 1e3 inf 1.2.3; do
  printf 'set max_cost = %s\n' "$bad" >"$cfg"
  rc=0; dump >/dev/null 2>"$T/err" || rc=$?
  assert_contains "$(cat "$T/err")" "$cfg:1: 'max_cost' must be an amount of US dollars such as 0.50"
done

# A theme that does not exist: an error before the screen is taken, listing
# the themes; from the flag or from the config.
: >"$cfg"
rc=0; DH_CONFIG=$cfg "$DESKHAND" --theme nosuch --grant "$T" </dev/null >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "--theme nosuch"
assert_contains "$(cat "$T/err")" "--theme nosuch"
assert_contains "$(cat "$T/err")" "themes: default, high-contrast, light, mono, solarized-dark"
printf 'set theme = nosuch\n' >"$cfg"
rc=0; DH_CONFIG=$cfg "$DESKHAND" attach </dev/null >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "set theme = nosuch"
assert_contains "$(cat "$T/err")" "set theme = nosuch"
assert_contains "$(cat "$T/err")" "light"

# -V is --version.
assert_eq "$("$DESKHAND" -V)" "$("$DESKHAND" --version)"
assert_contains "$("$DESKHAND" -V)" "deskhand "

# The example config: loads cleanly, sets every option of the table to its
# default, and names no option the table lacks.
ex=$src/contrib/deskhandrc.example
[ -f "$ex" ] || fail "no $ex"
defaults=$(DH_CONFIG= "$DESKHAND" --dump-config | grep '^set ')
cp "$ex" "$cfg"
assert_eq "$(dump | grep '^set ')" "$defaults" "the example's values are the defaults"
assert_eq "$(grep '^set ' "$ex" | sed 's/ *#.*//' | sort)" "$(sort <<<"$defaults")" \
  "the example's set lines are the table's options"
# ... with the meaning of each above it, as --dump-config gives it.
while IFS= read -r doc; do
  grep -qxF -- "$doc" "$ex" || fail "the example lacks the comment: $doc"
done < <(DH_CONFIG= "$DESKHAND" --dump-config | grep '^# ')
# docs/config.md has a row for every option.
for o in $(sed -n 's/^set \([a-z_]*\) = .*/\1/p' <<<"$defaults"); do
  grep -q "^| \`$o\` |" "$src/docs/config.md" || fail "docs/config.md has no row for $o"
done
echo ok
