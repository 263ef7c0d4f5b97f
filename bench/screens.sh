#!/usr/bin/env bash
# The whole set of screen queries and writes on both drivers and both data shapes, then a CPU
# profile of one read case and one write case on each driver (`npm run bench:screens`).
#
#   bench/screens.sh [output folder, default a new temp folder]
#
# BENCH_SECONDS (default 6 here) is passed on; the charts go to docs/images/benchmark-<driver>-<shape>.svg.
# PostgreSQL runs on a throwaway cluster (scripts/ci-postgres.sh) unless BENCH_DATABASE_URL names a server.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d -t contact-points-screens-XXXX)}
mkdir -p "$out"
export BENCH_SECONDS=${BENCH_SECONDS:-6}
npm run build --silent

run() { # driver shape [extra env…]
  local driver=$1 shape=$2
  shift 2
  echo "== $driver, $shape ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  env BENCH_SHAPE="$shape" BENCH_CHART="docs/images/benchmark-$driver-$shape.svg" "$@" node dist/bench/run.js >"$out/$driver-$shape.md" 2>"$out/$driver-$shape.log"
}

profile() { # driver case
  local driver=$1 case=$2
  echo "== profile: $driver, $case ($(date -u +%H:%M:%S) UTC)" >&2
  rm -rf "$out/profile-$driver-$case"
  env BENCH_SHAPE=outside BENCH_SECONDS=10 BENCH_CASES="$case" BENCH_CPU_PROF="$out/profile-$driver-$case" BENCH_CHART="$out/profile-$driver-$case.svg" \
    node dist/bench/run.js >"$out/profile-$driver-$case.run.md" 2>"$out/profile-$driver-$case.log"
  # The first seconds are start-up and the answer checks; the summary covers the load after them.
  node dist/bench/profile.js "$out/profile-$driver-$case" 15 --from 6 >"$out/profile-$driver-$case.md"
}

driver_set() { # driver
  for shape in screens outside; do run "$1" "$shape"; done
  profile "$1" outside
  profile "$1" write-primary
}

export -f run profile driver_set
export out
driver_set sqlite
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  driver_set postgres
else
  scripts/ci-postgres.sh with-cluster bash -c 'export BENCH_DATABASE_URL=$TEST_DATABASE_URL; driver_set postgres'
fi
echo "results in $out" >&2
