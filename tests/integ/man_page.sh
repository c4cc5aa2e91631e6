# docs/deskhand.1 against the program: every command that `deskhand --help`
# lists has a section, every option a command's --help shows appears in that
# command's section (the review verbs' common options in REVIEW COMMANDS),
# `man -l` renders it without a warning, and `make install-data` installs it
# (with the completions) where man finds it; `make uninstall` removes them.
. "$DH_TESTS/lib.sh"
src=$(cd "$DH_TESTS/.." && pwd)
page=$src/docs/deskhand.1
[ -f "$page" ] || fail "no $page"
command -v man >/dev/null || fail "man is not installed (make deps installs man-db)"

warn=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" 2>&1 >/dev/null)
[ -z "$warn" ] || fail "man -l warns: $warn"

mkdir -p "$T/help"
"$DESKHAND" --help >"$T/help/main"
"$DESKHAND" --grant "$T" --help >"$T/help/workbench"
cmds=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$T/help/main")
[ "$(wc -w <<<"$cmds")" -ge 15 ] || fail "parsed too few commands from --help: $cmds"
for c in $cmds; do "$DESKHAND" "$c" --help >"$T/help/$c"; done

cat >"$T/check.py" <<'PY'
import os, re, sys
page, helpdir = sys.argv[1], sys.argv[2]
roff = open(page).read()
# the text as a reader sees it: \- is -, fonts and quotes dropped
text = re.sub(r'\\f[BIRP]', '', roff).replace('\\-', '-').replace('\\e', '\\').replace('\\&', '')
sections, cur = {}, None
for line in text.split('\n'):
    m = re.match(r'\.S([HS]) "?(.*?)"?$', line)
    if m:
        cur = m.group(2)
        sections[cur] = ''
    elif cur is not None:
        sections[cur] += line + '\n'
def section_of(cmd):
    for h, body in sections.items():
        if h == 'deskhand ' + cmd or h.startswith('deskhand %s ' % cmd):
            return h + '\n' + body
    return None
opt = re.compile(r'(?<![\w-])(--?[A-Za-z][A-Za-z0-9-]*)')
common = {'-h', '--help'}
bad, checked = [], 0
for name in sorted(os.listdir(helpdir)):
    helptext = open(os.path.join(helpdir, name)).read()
    # 'deskhand undo --to' in prose names another command's option
    own = re.sub(r"'deskhand [^']*'", '', helptext)
    opts = set(opt.findall(own)) - common
    if name == 'main':
        where = text
    elif name == 'workbench':
        where = sections.get('SYNOPSIS', '') + sections.get('OPTIONS', '')
    else:
        where = section_of(name)
        if where is None:
            bad.append('no section "deskhand %s" in the man page' % name)
            continue
        if '--session' in helptext:  # a review verb: the common options
            where += sections.get('REVIEW COMMANDS', '')
    for o in sorted(opts):
        checked += 1
        if not re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(o), where):
            bad.append('%s: option %s (in --help) is not in its man page section' % (name, o))
for o in ('-h', '--help'):
    if o not in sections.get('COMMANDS', '') + sections.get('OPTIONS', ''):
        bad.append('%s is not documented' % o)
print('checked %d options of %d commands' % (checked, len(os.listdir(helpdir))))
if bad:
    sys.exit('\n'.join(bad))
PY
out=$(python3 "$T/check.py" "$page" "$T/help" 2>&1) || fail "$out"
echo "$out"
# The checker is not vacuous: a page lacking an option or a command fails.
sed 's/^\.BI \\-\\-max\\-turns " N"$/.BI \\-\\-max\\-tunrs " N"/' "$page" >"$T/bad1.1"
o=$(python3 "$T/check.py" "$T/bad1.1" "$T/help" 2>&1) && fail "a page without --max-turns passed"
assert_contains "$o" "run: option --max-turns"
sed 's/^\.SS "deskhand redo .*/.SS "deskhand rdo"/' "$page" >"$T/bad2.1"
o=$(python3 "$T/check.py" "$T/bad2.1" "$T/help" 2>&1) && fail "a page without redo passed"
assert_contains "$o" 'no section "deskhand redo"'

# make install-data / uninstall (no build needed), under DESTDIR.
root=$T/root
make -s -C "$src" install-data uninstall DESTDIR="$root" PREFIX=/usr >/dev/null 2>"$T/make.err" ||
  fail "make install-data uninstall: $(cat "$T/make.err")"
make -s -C "$src" install-data DESTDIR="$root" PREFIX=/usr >/dev/null 2>"$T/make.err" ||
  fail "make install-data: $(cat "$T/make.err")"
[ -f "$root/usr/share/man/man1/deskhand.1" ] || fail "the man page is not installed"
[ -f "$root/usr/share/bash-completion/completions/deskhand" ] || fail "no bash completion installed"
[ -f "$root/usr/share/zsh/vendor-completions/_deskhand" ] || fail "no zsh completion installed"
MANPATH=$root/usr/share/man man -w deskhand >/dev/null 2>&1 || fail "man does not find the installed page"
make -s -C "$src" uninstall DESTDIR="$root" PREFIX=/usr >/dev/null 2>"$T/make.err" || fail "make uninstall"
left=$(find "$root" -type f)
[ -z "$left" ] || fail "uninstall left: $left"
echo ok
