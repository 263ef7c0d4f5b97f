#!/usr/bin/env bash
# Runs an npm script on another Node.js release, in a copy of the tree with its own `npm ci`, so the
# native sqlite3 module is built for that Node's ABI and this tree's node_modules is left as it is.
#
#   scripts/test-on-node.sh 22             # `npm test` on the newest Node 22
#   scripts/test-on-node.sh 24 test:e2e    # any npm script, on any release the registry has
#
# Everything goes into one temporary directory, removed afterwards (KEEP_NODE_RUN=1 keeps it).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 <node version, e.g. 22 or 22.12.0> [npm script, default test]" >&2
  exit 2
fi
version=$1
script=${2:-test}
root=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/contact-points-node$version.XXXXXX")
if [ "${KEEP_NODE_RUN:-}" != 1 ]; then trap 'rm -rf "$work"' EXIT; fi

node_home=$("$root/scripts/node-release.sh" "$version" "$work/runtime")
export PATH="$node_home/bin:$PATH"
# node-gyp builds against the headers shipped with that release (the machine's npm config points at /usr).
export npm_config_nodedir="$node_home"
running=$(node -p process.versions.node)

# The files a fresh clone would have, plus any not yet committed (never node_modules, dist or data).
mkdir "$work/tree"
git -C "$root" ls-files -z --cached --others --exclude-standard --deduplicate \
  | tar -C "$root" --null --files-from=- --ignore-failed-read -cf - \
  | tar -C "$work/tree" -xf -
cd "$work/tree"

echo "== Node.js $running: npm ci" >&2
started=$SECONDS
npm ci --no-audit --no-fund
install_seconds=$((SECONDS - started))

database=${TEST_DATABASE_URL:-sqlite}
echo "== Node.js $running: npm run $script (database: ${database%%:*})" >&2
started=$SECONDS
status=0
npm run "$script" || status=$?
run_seconds=$((SECONDS - started))

echo "== Node.js $running: npm ci took ${install_seconds} s, npm run $script took ${run_seconds} s (exit code $status)" >&2
exit "$status"
