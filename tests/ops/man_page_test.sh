#!/usr/bin/env bash
# The generated eichub(1) names every subcommand and option `eichub ... --help` lists, under the
# subcommand's own heading, and groff renders it without a warning.
#   tests/ops/man_page_test.sh EICHUB MAN_PAGE
set -euo pipefail
bin="${1:?eichub binary}"
page="${2:?man page}"
# shellcheck source=tests/ops/cli_help.sh
source "$(dirname "$0")/cli_help.sh"
failures=0

warnings="$(groff -man -Tutf8 -ww -z "$page" 2>&1)"
if [ -n "$warnings" ]; then
  echo "FAIL: groff warns on $page:"
  echo "$warnings"
  failures=$((failures + 1))
fi

# Plain text, lines long enough that no option name is broken, no hyphenation.
text="$(groff -man -Tascii -P-cbou -rLL=400n -rHY=0 "$page")"

# section TITLE: the rendered text under the subsection heading TITLE, up to the next heading.
section() {
  awk -v title="$1" '/^   [^ ]/ { inside = ($0 == "   " title); next } inside' <<<"$text"
}

# check_command PATH: the man page names what `eichub PATH --help` lists: the top's options
# under OPTIONS; a subcommand's options and own subcommands under its heading "eichub PATH".
check_command() {
  local path="$1" name="eichub${1:+ $1}" body want wants
  if [ -z "$path" ]; then
    body="$(awk '/^OPTIONS$/ { inside = 1; next } /^[A-Z]/ { inside = 0 } inside' <<<"$text")"
    wants="$(help_options "$bin")"
  else
    body="$(section "$name")"
    # shellcheck disable=SC2086  # a path is words
    wants="$(help_options "$bin" $path; help_subcommands "$bin" $path)"
  fi
  if [ -z "$body" ]; then
    echo "FAIL: no section for \"$name\" in $page"
    failures=$((failures + 1))
    return
  fi
  for want in $wants; do
    if ! grep -qF -- "$want" <<<"$body"; then
      echo "FAIL: \"$name\" in $page does not name $want, which its --help lists"
      failures=$((failures + 1))
    fi
  done
}

check_command ""
count=0
while read -r path; do
  check_command "$path"
  count=$((count + 1))
done < <(help_paths "$bin")
if [ "$count" -lt 20 ]; then
  echo "FAIL: only $count subcommands found in --help"
  failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] && echo "man page names the options and subcommands of $count subcommands"
exit $((failures > 0))
