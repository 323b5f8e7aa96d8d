#!/usr/bin/env bash
# Runs every test: installs what is missing (scripts/setup.sh), then lint and format, the
# dependency-cycle check, the type check, the API docs build, and every vitest suite, against the
# real sandboxes. Ends with the line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $(id -u) -eq 0 ]]; then
  bash scripts/setup.sh
else
  echo "[test] not root: skipping setup; sandbox tests need root (sudo npm test)" >&2
fi

step() { printf '\n[test] %s\n' "$*"; }
# Every check runs even when an earlier one failed, so one run reports everything; any failure
# fails the whole command at the end.
failed=()
check() {
  local name=$1; shift
  step "$name"
  "$@" || failed+=("$name")
}
check "lint and format (biome)" npx biome check .
check "dependency cycles (madge)" npx madge --circular --extensions ts --ts-config tsconfig.json packages/*/src
check "type check (tsc)" npx tsc -p tsconfig.json --noEmit
check "type check of the playground (tsc, DOM)" npx tsc -p packages/http-adapter/playground/tsconfig.json
check "API docs (typedoc, warnings fail)" npm run docs --silent
# The native helpers are built at run time (jk-jail) or into images (jk-exec): warnings fail here.
c_helpers() {
  local out rc=0
  out=$(mktemp -d)
  gcc -O2 -static -Wall -Wextra -Werror -o "$out/jk-jail" packages/runner-nsjail/native/jk-jail.c &&
    gcc -O2 -static -Wall -Wextra -Werror -o "$out/jk-forker" packages/runner-nsjail/native/jk-forker.c &&
    gcc -O2 -static -Wall -Wextra -Werror -Ipackages/runner-nsjail/native -o "$out/jk-exec" packages/runner-docker/images/jk-exec.c || rc=$?
  rm -rf "$out"
  return "$rc"
}
check "C helpers (gcc -Wall -Wextra -Werror)" c_helpers

step "tests (vitest)"
mkdir -p .cache
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest.json "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(".cache/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  if (process.env.CI && skipped > 0) { console.error("[test] skipped tests are failures when CI is set"); process.exit(1); }
  if (r.numTotalTests === 0) { console.error("[test] no test ran"); process.exit(1); }
' || status=1
if (( ${#failed[@]} )); then
  printf '[test] failed checks: %s\n' "${failed[*]}" >&2
  status=1
fi
exit $status
