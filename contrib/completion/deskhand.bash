# bash completion for deskhand(1): commands, each command's options, session
# ids (from `deskhand sessions`), themes and paths. Install as
# /usr/share/bash-completion/completions/deskhand (make install does), or
# source it from ~/.bashrc.

_deskhand_commands="run attach ls wait stop log diff review accept accept-hunk reject
reject-hunk undo redo restore sessions usage doctor rules config schedule inbox mcp skills audit models
warm"

# The options of each command (the workbench's under "", as its --help lists them).
_deskhand_options() {
	case $1 in
	'') echo "-g --grant --resume --theme -m --mode --model --force --replay --no-mouse
		-h --help -V --version --dump-config" ;;
	run) echo "-g --grant -y --approve-plan -m --mode --json --detach --commands --resume
		--model --max-turns --force --record --replay --max-cost --max-tokens
		--thinking --approval-deadline
		--origin --prompt --dangerously-run-commands-unsandboxed -h --help" ;;
	attach) echo "--theme --no-mouse -h --help" ;;
	ls | sessions | doctor) echo "--json -h --help" ;;
	usage) echo "--by --since --json -h --help" ;;
	rules) echo "-g --grant --json -h --help" ;;
	config) echo "--json -h --help" ;;
	inbox) echo "--json --dismiss -h --help" ;;
	skills) echo "--json --grant -h --help" ;;
	audit) echo "--all --since --format -h --help" ;;
	models) echo "--json --model -h --help" ;;
	warm) echo "--foreground --idle --status --stop -h --help" ;;
	mcp) echo "-h --help" ;;
	wait | stop) echo "-h --help" ;;
	log) echo "--session --json -h --help" ;;
	diff) echo "--session -h --help" ;;
	review) echo "--session --json --stat -h --help" ;;
	accept | accept-hunk) echo "--session --json -h --help" ;;
	reject | reject-hunk | redo | restore) echo "--session --json --force -h --help" ;;
	undo) echo "--steps --to --session --json --force -h --help" ;;
	schedule) echo "--at -g --grant -m --mode --max-cost --model --force --json -h --help" ;;
	esac
}

# Session ids, newest first, and "latest".
_deskhand_sessions() {
	echo latest
	"${COMP_WORDS[0]}" sessions 2>/dev/null | awk '{ print $1 }' | sort -r
}

# Theme names: the built-in ones, then NAME.theme files where deskhand looks.
_deskhand_themes() {
	local d f
	printf "%s\n" default light solarized-dark high-contrast mono
	for d in "${XDG_CONFIG_HOME:-$HOME/.config}/deskhand/themes" "${DH_THEMES_DIR:-}" \
		/usr/share/deskhand/themes /usr/local/share/deskhand/themes; do
		[[ -n $d && -d $d ]] || continue
		for f in "$d"/*.theme; do
			[[ -e $f ]] && { f=${f##*/}; echo "${f%.theme}"; }
		done
	done
}

_deskhand() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd="" i w
	COMPREPLY=()
	# The command: the first word that is not an option or an option's value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-g | --grant | --resume | --theme | -m | --mode | --model | --replay) ((i++)) ;;
		-*) ;;
		*) [[ " ${_deskhand_commands//$'\n'/ } " == *" $w "* ]] && cmd=$w
		   break ;;
		esac
	done
	case $prev in
	--session | --resume)
		mapfile -t COMPREPLY < <(compgen -W "$(_deskhand_sessions)" -- "$cur")
		return ;;
	--theme)
		mapfile -t COMPREPLY < <(compgen -W "$(_deskhand_themes | sort -u)" -- "$cur")
		compopt -o filenames 2>/dev/null
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -X '!*.theme' -- "$cur")
		return ;;
	-m | --mode)
		mapfile -t COMPREPLY < <(compgen -W "ask auto" -- "$cur")
		return ;;
	-g | --grant)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	--replay | --record)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--model | --max-turns | --steps | --to | --at | --max-cost | --max-tokens | --since) return ;;
	--by)
		mapfile -t COMPREPLY < <(compgen -W "day model session" -- "$cur")
		return ;;
	--thinking)
		mapfile -t COMPREPLY < <(compgen -W "off adaptive" -- "$cur")
		return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_deskhand_options "$cmd")" -- "$cur")
		return
	fi
	case $cmd in
	'')
		mapfile -t COMPREPLY < <(compgen -W "$_deskhand_commands" -- "$cur") ;;
	attach | wait | stop | log)
		mapfile -t COMPREPLY < <(compgen -W "$(_deskhand_sessions)" -- "$cur") ;;
	config) # the names of the settings
		mapfile -t COMPREPLY < <(compgen -W "$("${COMP_WORDS[0]}" config 2>/dev/null |
			awk '$1 == "set" { print $2 }')" -- "$cur") ;;
	schedule) # its subcommands, then the names of the schedules
		if [[ $prev == schedule ]]; then
			mapfile -t COMPREPLY < <(compgen -W "add list run pause resume remove log fire" -- "$cur")
		elif [[ $prev != add ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(ls "${XDG_CONFIG_HOME:-$HOME/.config}/deskhand/schedules" 2>/dev/null)" -- "$cur")
		fi ;;
	*)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
}
complete -F _deskhand deskhand
