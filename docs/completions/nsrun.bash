# bash completion for nsrun. Commands and options are read from nsrun's own
# --help (so this file never lags behind it); container ids from `list -q`.

_nsrun_commands() {
    nsrun --help 2>/dev/null | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p'
}

_nsrun_options() {
    nsrun "$@" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u
}

_nsrun() {
    local cur prev words cword
    _init_completion || return
    local root=() command="" i
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
        --root) root=(--root "${words[i + 1]}"); ((i++)) ;;
        --root=*) root=(--root "${words[i]#--root=}") ;;
        --log | --log-format | --rootless | --criu) ((i++)) ;;
        -*) ;;
        *) command=${words[i]}; break ;;
        esac
    done
    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$(_nsrun_options)" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(_nsrun_commands)" -- "$cur"))
        fi
        return
    fi
    case "$prev" in
    --bundle | -b | --cwd | --rootfs) _filedir -d; return ;;
    --pid-file | --process | -p | --console-socket | --log | --resources) _filedir; return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_nsrun_options "$command")" -- "$cur"))
        return
    fi
    case "$command" in
    start | state | kill | delete | pause | resume | update | ps | events | exec | enter | ns)
        COMPREPLY=($(compgen -W "$(nsrun "${root[@]}" list -q 2>/dev/null)" -- "$cur")) ;;
    esac
}
complete -F _nsrun nsrun
