#!/usr/bin/env bash
# The generated bash completion registers itself for eichub and, driven as bash drives it,
# completes each subcommand path to exactly the subcommands its --help lists, a partial word to
# its subcommand, an option prefix to the options, and a value after an option to nothing (so
# bash completes file names).
#   tests/ops/bash_completion_test.sh EICHUB COMPLETION_FILE
set -euo pipefail
bin="${1:?eichub binary}"
file="${2:?completion file}"
# shellcheck source=tests/ops/cli_help.sh
source "$(dirname "$0")/cli_help.sh"
# shellcheck disable=SC1090
source "$file"
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# complete_words WORD...: what bash offers for the last word of the command line WORD...
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _eichub
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

registered="$(complete -p eichub)"
[ "$registered" = "complete -o default -F _eichub eichub" ] || fail "registered as: $registered"

paths=("")
while read -r path; do paths+=("$path"); done < <(help_paths "$bin")
[ ${#paths[@]} -ge 20 ] || fail "only ${#paths[@]} subcommand paths in --help"
for path in "${paths[@]}"; do
  # shellcheck disable=SC2086  # a path is words
  want="$(help_subcommands "$bin" $path | sort)"
  # shellcheck disable=SC2086
  got="$(complete_words eichub $path "" | sed '/^$/d')"
  [ "$got" = "$want" ] || fail "\"eichub $path <TAB>\": want [$want], got [$got]"
  # shellcheck disable=SC2086
  want="$(help_options "$bin" $path | grep '^--' | sort)"
  # shellcheck disable=SC2086
  got="$(complete_words eichub $path "--" | sed '/^$/d')"
  [ "$got" = "$want" ] || fail "\"eichub $path --<TAB>\": want [$want], got [$got]"
done

got="$(complete_words eichub fe)"
[ "$got" = "feed" ] || fail "\"eichub fe<TAB>\": want feed, got [$got]"
got="$(complete_words eichub feed exp)"
[ "$got" = "export" ] || fail "\"eichub feed exp<TAB>\": want export, got [$got]"
# A value of --home that is also a subcommand's name does not move into that subcommand.
got="$(complete_words eichub status --home feed --js)"
[ "$got" = "--json" ] || fail "\"eichub status --home feed --js<TAB>\": want --json, got [$got]"
got="$(complete_words eichub status --home "")"
[ -z "$got" ] || fail "\"eichub status --home <TAB>\": want file names (nothing), got [$got]"

[ "$failures" -eq 0 ] && echo "completion matches --help on ${#paths[@]} subcommand paths"
exit $((failures > 0))
