#!/usr/bin/env bash
# Runs the benchmarks (all, or the ones named: core nsjail docker http languages peers history cluster sessions). Each prints its
# figures beside their targets and a baseline measured in the same run. Needs the setup done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
names=("$@")
(( ${#names[@]} )) || names=(core nsjail docker http languages peers history cluster sessions)
for name in "${names[@]}"; do
  printf '\n=== bench/%s ===\n' "$name"
  node --expose-gc --import tsx "bench/$name/index.ts"
done
