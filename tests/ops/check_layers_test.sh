#!/usr/bin/env bash
# ops/check-layers on a temporary copy of the tree's sources: the copy passes, and each rule
# catches one bad include added to it, naming the file and the rule.
#   tests/ops/check_layers_test.sh SOURCE_DIR
set -euo pipefail
src="$(cd "${1:?source dir}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0

fresh_copy() {
  rm -rf "$work/tree"
  mkdir -p "$work/tree"
  (cd "$src" && find federation node tests \( -name '*.h' -o -name '*.cc' \) -print0 |
     tar --null -cf - -T -) | tar -xf - -C "$work/tree"
}

# expect_violation FILE INCLUDE RULE: adds the include to FILE and expects the check to fail
# with a line naming FILE, INCLUDE and RULE.
expect_violation() {
  local file="$1" inc="$2" rule="$3"
  fresh_copy
  mkdir -p "$(dirname "$work/tree/$file")"
  printf '#include "%s"\n' "$inc" >>"$work/tree/$file"
  local out rc=0
  out="$("$src/ops/check-layers" "$work/tree" 2>&1)" || rc=$?
  if [ "$rc" -ne 1 ] || ! grep -qF "layering: $file: includes \"$inc\" ($rule)" <<<"$out"; then
    echo "FAIL: $file including $inc: want exit 1 and rule \"$rule\"; got exit $rc:"
    echo "$out"
    failures=$((failures + 1))
  else
    echo "ok: $file including $inc is refused ($rule)"
  fi
}

fresh_copy
if out="$("$src/ops/check-layers" "$work/tree" 2>&1)"; then
  echo "ok: the tree as it is passes"
else
  echo "FAIL: the unchanged copy is refused:"
  echo "$out"
  failures=$((failures + 1))
fi

expect_violation federation/feed/update.h node/store/catalog_store.h \
  "federation never includes node"
expect_violation federation/sync/puller.cc node/catalog/change.h "federation never includes node"
expect_violation node/store/catalog_store.cc node/daemon/writer.h \
  "node's core never includes cli, http or daemon"
expect_violation node/publish/publisher.cc node/http/change_signal.h \
  "node's core never includes cli, http or daemon"
expect_violation node/home/home.cc node/cli/context.h \
  "node's core never includes cli, http or daemon"
expect_violation node/match/matcher.cc node/store/internal/keys.h "another module's internal/"
expect_violation node/daemon/writer.cc federation/transport/internal/zmq_status.h \
  "another module's internal/"
expect_violation tests/unit/match/matcher_test.cc node/store/internal/keys.h \
  "another module's internal/"

# A module's own internal/ headers, and its unit tests', stay allowed.
fresh_copy
printf '#include "node/store/internal/keys.h"\n' >>"$work/tree/node/store/restate.cc"
printf '#include "node/store/internal/keys.h"\n' >>"$work/tree/tests/unit/store/restate_test.cc"
if out="$("$src/ops/check-layers" "$work/tree" 2>&1)"; then
  echo "ok: a module's own internal/ and its unit tests' includes pass"
else
  echo "FAIL: own internal/ refused:"
  echo "$out"
  failures=$((failures + 1))
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
