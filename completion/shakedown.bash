# bash completion for shakedown(1): commands, options, drills and fault kinds.
# Everything is asked of shakedown itself (its --help, 'help COMMAND' and
# 'fault --list'), so the completion never lags behind the binary.

_shakedown_drills()
{
	# drill files here, then the installed drills by path. File names
	# are data: never a word list for compgen -W (which expands $(...)
	# in it), never split on spaces, never globbed again.
	local cur=$1 d f
	compopt -o filenames 2>/dev/null
	mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -X '!*.@(yaml|yml)' -- "$cur")
	mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
	for d in /usr/share/shakedown/scenarios /usr/local/share/shakedown/scenarios; do
		[ -d "$d" ] || continue
		for f in "$d"/*.yaml; do
			[[ -f $f && $f == "$cur"* ]] && COMPREPLY+=("$f")
		done
	done
}

_shakedown()
{
	local cur prev words cword cmd i
	_init_completion -n = || return

	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '-q -v --version --help' -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(shakedown --help 2>/dev/null |
			    awk '/^Commands:/ {f = 1; next} f && /^  [a-z]/ {print $1}') help" \
			    -- "$cur"))
		fi
		return
	fi

	case $prev in
	-r | --report | -o | --dir | -d | --baseline)
		_filedir -d
		return ;;
	--vars | --prom | --cacert | --cert | --key)
		_filedir
		return ;;
	-b | --bug)
		return ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(shakedown help "$cmd" 2>/dev/null |
		    grep -oE -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
		return
	fi

	case $cmd in
	help)
		COMPREPLY=($(compgen -W "$(shakedown --help 2>/dev/null |
		    awk '/^Commands:/ {f = 1; next} f && /^  [a-z]/ {print $1}')" \
		    -- "$cur")) ;;
	run | validate | plan | vars)
		_shakedown_drills "$cur" ;;
	list)
		_filedir -d ;;
	report)
		_filedir ;;
	fault)
		# the verb first (each kind's: pause, netem, proxy...), then its
		# keys as KEY=
		local verb="" j
		for ((j = i + 1; j < cword; j++)); do
			case ${words[j]} in
			-*) ;;
			*=*) ;;
			*) verb=${words[j]}; break ;;
			esac
		done
		if [ -z "$verb" ]; then
			COMPREPLY=($(compgen -W "$(shakedown fault --list 2>/dev/null |
			    awk '/^  [a-z]/ && $1 != "keys:" {print $1}' | sort -u)" -- "$cur"))
		else
			compopt -o nospace 2>/dev/null
			COMPREPLY=($(compgen -S = -W "$(shakedown fault --list 2>/dev/null |
			    awk -v v="$verb" '/^[a-z]/ {k = 0} /^  [a-z]/ && $1 == v {k = 1}
			    k && /^  keys:/ {for (n = 2; n <= NF; n++) print $n}' |
			    sort -u)" -- "$cur"))
		fi ;;
	sandbox)
		case $prev in
		stop | start | kill)
			COMPREPLY=($(compgen -W 'postgres redis proxy target prometheus
			    alertmanager' -- "$cur")) ;;
		*)
			COMPREPLY=($(compgen -W 'up down status env stop start kill' \
			    -- "$cur")) ;;
		esac ;;
	esac
} &&
	complete -F _shakedown shakedown
