#!/usr/bin/env bash
# docs/protocol.md's event table ("Event stream") and command table ("Protocol") match the one
# declaration in src/agent/event.h (EVENT_TYPES, COMMAND_TYPES): every type is documented,
# the README names no type that does not exist, and each row mentions every wire key its
# type declares. The declaration is parsed with a strict pattern; a line of the X-macro that
# the pattern does not understand, or fewer types than exist today, fails the test rather
# than passing on a short list. The checker is also run on broken copies of the README and
# must refuse them.
. "$(dirname "$0")/../lib.sh"
src=$(cd "$DH_TESTS/.." && pwd)
header=$src/src/agent/event.h readme=$src/docs/protocol.md
[ -f "$header" ] && [ -f "$readme" ] || fail "no $header or $readme"

cat >"$T/check.py" <<'EOF'
import re, sys

header, readme = open(sys.argv[1]).read(), open(sys.argv[2]).read()

def declared(macro, prefix, least):
    """{wire name: [wire keys]} of the X-macro `macro`, strictly parsed."""
    m = re.search(r'^#define %s\(X, F\)[ \t]*\\\n((?:.*\\\n)*.*\n)' % macro, header, re.M)
    if not m:
        sys.exit('event.h: no "#define %s(X, F)"' % macro)
    body = re.sub(r'/\*.*?\*/', '', m.group(1), flags=re.S).replace('\\\n', ' ')
    types = {}
    # X(PREFIX_NAME, "name", F(KIND, member, "key") ...) with nothing else between entries
    entry = re.compile(r'\s*X\(\s*(%s_[A-Z_]+)\s*,\s*"([a-z_]+)"\s*,((?:\s*F\(\s*[A-Z]+\s*,'
                       r'\s*[a-z_.]+\s*,\s*"[a-z_]+"\s*\))*)\s*\)' % prefix)
    pos = 0
    while pos < len(body.rstrip()):
        e = entry.match(body, pos)
        if not e:
            sys.exit('event.h: %s: cannot parse at: %r' % (macro, body[pos:pos + 80]))
        keys = re.findall(r'"([a-z_]+)"\s*\)', e.group(3))
        if e.group(2) in types:
            sys.exit('event.h: %s: "%s" twice' % (macro, e.group(2)))
        types[e.group(2)] = keys
        pos = e.end()
    if len(types) < least or body.count('X(') != len(types):
        sys.exit('event.h: %s: parsed %d types of %d X( entries (want >= %d)'
                 % (macro, len(types), body.count('X('), least))
    return types

def documented(section, head):
    """{name: row text} of the table under `head` in README section `section`."""
    s = re.search(r'^## %s\n(.*?)(?=^## |\Z)' % re.escape(section), readme, re.M | re.S)
    if not s:
        sys.exit('README: no section "## %s"' % section)
    t = s.group(1).find(head + '\n')
    if t < 0:
        sys.exit('README: "%s": no table "%s"' % (section, head))
    rows = {}
    for line in s.group(1)[t:].split('\n')[2:]:
        if not line.startswith('|'):
            break
        r = re.match(r'\| `([a-z_]+)` \|(.*)\|\s*$', line)
        if not r:
            sys.exit('README: "%s": bad row: %s' % (section, line))
        if r.group(1) in rows:
            sys.exit('README: "%s": `%s` twice' % (section, r.group(1)))
        rows[r.group(1)] = r.group(2)
    return rows

bad = []
for macro, prefix, least, section, head in (
        ('EVENT_TYPES', 'EVENT', 20, 'Event stream (`deskhand run --json`)', '| type | fields |'),
        ('COMMAND_TYPES', 'COMMAND', 15, 'Protocol', '| type | fields | answered by |')):
    decl, doc = declared(macro, prefix, least), documented(section, head)
    for name in decl:
        if name not in doc:
            bad.append('%s: `%s` is not in the README table of "%s"' % (macro, name, section))
            continue
        fields = doc[name].split('|')[0] if prefix == 'COMMAND' else doc[name]
        for key in decl[name]:
            if '`%s`' % key not in fields:
                bad.append('README: `%s` does not mention its field `%s`' % (name, key))
    for name in doc:
        if name not in decl:
            bad.append('README "%s" names `%s`, which %s does not declare' % (section, name, macro))
    print('%s: %d types, README rows: %d' % (macro, len(decl), len(doc)))
if bad:
    sys.exit('\n'.join(bad))
EOF

out=$(python3 "$T/check.py" "$header" "$readme" 2>&1) || fail "$out"
echo "$out"
assert_contains "$out" "EVENT_TYPES: "
assert_contains "$out" "COMMAND_TYPES: "

# The checker must refuse a README with a type missing, an unknown type, a row without
# one of its keys, and an event.h whose X-macro it cannot read.
must_refuse() { # WHAT HEADER README PATTERN
  local o
  o=$(python3 "$T/check.py" "$2" "$3" 2>&1) && fail "the check passed $1"
  grep -qF -- "$4" <<<"$o" || fail "$1: expected '$4' in: $o"
}
grep -v '^| `history_end` |' "$readme" >"$T/r1"
must_refuse "without history_end" "$header" "$T/r1" '`history_end` is not in the README'
grep -v '^| `review_get` |' "$readme" >"$T/r2"
must_refuse "without review_get" "$header" "$T/r2" '`review_get` is not in the README'
sed "/^| \`redo\` |/a | \`teleport\` | \`where\` | \`reply\` |" "$readme" >"$T/r3"
must_refuse "with a command that does not exist" "$header" "$T/r3" '`teleport`, which COMMAND_TYPES'
sed 's/^| `retry` | `attempt`, /| `retry` | /' "$readme" >"$T/r4"
must_refuse "with a row lacking a key" "$header" "$T/r4" '`retry` does not mention its field `attempt`'
sed 's/^\(\tX(EVENT_ERROR, \)"error"/\1ERROR_NAME/' "$header" >"$T/h1"
must_refuse "with an X-macro line it cannot parse" "$T/h1" "$readme" 'cannot parse'
echo "ok"
