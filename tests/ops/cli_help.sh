# shellcheck shell=bash
# Sourced by the man page and completion tests: what `eichub ... --help` lists, parsed from its
# text (CLI11's format), as the reference the generated files must match.

# help_subcommands EICHUB WORD...: the subcommands `EICHUB WORD... --help` lists, one a line.
help_subcommands() {
  local bin="$1"
  shift
  "$bin" "$@" --help | awk '/^[^ ].*:$/ { in_subs = ($0 == "Subcommands:"); next }
                           in_subs && /^  [^ -]/ { print $1 }'
}

# help_options EICHUB WORD...: every spelling of the options `EICHUB WORD... --help` lists.
help_options() {
  local bin="$1"
  shift
  "$bin" "$@" --help |
    awk '/^  -/ { n = split($1, names, ","); for (i = 1; i <= n; i++) print names[i] }'
}

# help_paths EICHUB: every subcommand path below the top, one a line ("feed export").
help_paths() {
  local bin="$1" queue=("") path sub
  while [ ${#queue[@]} -gt 0 ]; do
    path="${queue[0]}"
    queue=("${queue[@]:1}")
    [ -n "$path" ] && echo "$path"
    # shellcheck disable=SC2086  # a path is words
    while read -r sub; do
      queue+=("${path:+$path }$sub")
    done < <(help_subcommands "$bin" $path)
  done
}
