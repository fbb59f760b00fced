# bash completion for portresctl(8)                    -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0

_portresctl()
{
	local cur prev words cword
	_init_completion || return

	local opts="-j --json -p --pretty -n --netns -N --numeric -t --timestamp
		-c --check -V --version -h --help"
	local cmds="show lookup add delete monitor restore holders"

	case $prev in
	-n | --netns)
		COMPREPLY=($(compgen -W "$(ls /run/netns 2>/dev/null)" -- "$cur"))
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi

	# The command and its arguments, without the options and -n's name.
	local i cmd= args=()
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-n | --netns) ((i++)) ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=${words[i]}; else args+=("${words[i]}"); fi ;;
		esac
	done

	case $cmd in
	"")
		COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		;;
	show)
		[[ $prev == port ]] && return
		local w left="tcp udp port runtime persistent"
		# netns stands alone.
		((${#args[@]})) || left+=" netns"
		[[ ${args[0]} == netns ]] && return
		for w in "${args[@]}"; do
			case $w in
			tcp | udp) left=${left/tcp/}; left=${left/udp/} ;;
			port) left=${left/port/} ;;
			runtime | persistent) left=${left/runtime/}; left=${left/persistent/} ;;
			esac
		done
		COMPREPLY=($(compgen -W "$left" -- "$cur"))
		;;
	lookup | add | delete)
		case ${#args[@]} in
		0) COMPREPLY=($(compgen -W "tcp udp" -- "$cur")) ;;
		3) [[ $cmd == add ]] && COMPREPLY=($(compgen -W "exclusive" -- "$cur")) ;;
		esac
		;;
	restore)
		_filedir
		;;
	esac
} &&
	complete -F _portresctl portresctl
