# Shell completions (contrib/completion/): bash is sourced and its function
# called with COMP_WORDS as bash would: commands, each command's options
# (which must be exactly those its --help lists, so they cannot drift),
# session ids from `deskhand sessions`, themes, modes. zsh's file is checked
# with `zsh -n` when zsh is installed (else skipped, saying so).
. "$DH_TESTS/lib.sh"
src=$(cd "$DH_TESTS/.." && pwd)
bashc=$src/contrib/completion/deskhand.bash zshc=$src/contrib/completion/_deskhand
[ -f "$bashc" ] && [ -f "$zshc" ] || fail "missing completion files"
export PATH=$DH_BUILD:$PATH DH_THEMES_DIR=$src/themes

# A session on disk, for session-id completion.
G=$T/work; mkdir -p "$G"
echo '{"turns": [{"text": "Hi.", "stop_reason": "end_turn"}]}' >"$T/script.json"
start_fake "$T/script.json"
deskhand run --grant "$G" "hello" >/dev/null 2>&1 || fail "the session did not run"
id=$(deskhand sessions | awk '{ print $1 }' | tail -1)
[ -n "$id" ] || fail "no session id"

comp() { # WORDS...: complete the last word; prints the candidates sorted, one line
  bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"
           _deskhand; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$bashc" "$@"
}
assert_eq "$(comp deskhand re)" "redo reject reject-hunk restore review "
assert_eq "$(comp deskhand acc)" "accept accept-hunk "
assert_eq "$(comp deskhand undo --s)" "--session --steps "
assert_eq "$(comp deskhand --mode a)" "ask auto "
assert_eq "$(comp deskhand -g "$G" --mode a)" "ask auto "
assert_contains "$(comp deskhand --theme '')" "high-contrast light mono solarized-dark"
assert_eq "$(comp deskhand attach --theme so)" "solarized-dark "
assert_contains "$(comp deskhand undo --session '')" "$id"
assert_contains "$(comp deskhand attach '')" "$id"
assert_contains "$(comp deskhand attach '')" "latest"
assert_eq "$(comp deskhand wait "${id:0:8}")" "$id "
# After a path, options still complete (options anywhere before --).
assert_eq "$(comp deskhand accept notes.txt --j)" "--json "
# The workbench's options when no command is given.
assert_contains "$(comp deskhand --)" "--grant --help --mode --model --no-mouse --replay --resume --theme --version"

# Each command's options are exactly the ones its --help shows (-h/--help: all).
opts_of_help() { # HELP-TEXT on stdin: the options it names for itself
  sed "s/'deskhand [^']*'//g" | grep -oE '(^|[^[:alnum:]-])--?[A-Za-z][A-Za-z0-9-]*' |
    sed 's/^[^-]*//' | grep -vxE -- '-h|--help' | sort -u | tr '\n' ' '
}
for c in "" run attach ls wait stop log diff review accept accept-hunk reject reject-hunk \
         undo redo restore sessions doctor rules config inbox skills audit models warm; do
  if [ -z "$c" ]; then
    want=$({ deskhand --help; deskhand --grant "$G" --help; } | opts_of_help)
  else
    want=$(deskhand "$c" --help | opts_of_help)
  fi
  got=$(bash -c '. "$1"; _deskhand_options "$2"' _ "$bashc" "$c" | tr -s ' \t\n' '\n' | sed '/^$/d' |
        grep -vxE -- '-h|--help' | sort -u | tr '\n' ' ')
  # the main --help names --session in prose (the review verbs' option)
  [ -z "$c" ] && want=$(tr ' ' '\n' <<<"$want" | grep -vx -- '--session' | sed '/^$/d' | tr '\n' ' ')
  assert_eq "$got" "$want" "bash completion options of '${c:-the workbench}'"
done

if command -v zsh >/dev/null; then
  zsh -n "$zshc" || fail "zsh -n $zshc"
  echo "zsh: syntax ok"
else
  echo "zsh: not installed, its completion was not checked (apt-get install zsh)"
fi
echo ok
