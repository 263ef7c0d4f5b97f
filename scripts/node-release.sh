#!/usr/bin/env bash
# Installs a Node.js release from the npm registry into a directory and prints that release's home
# (bin/node, and the headers node-gyp builds native modules against). The registry package
# node-<platform>-<arch>@<version> ships the official binary, so no other download is needed.
#
#   home=$(scripts/node-release.sh 22 "$dir")    # the newest 22.x; or an exact release, e.g. 22.12.0
#   PATH="$home/bin:$PATH" npm_config_nodedir="$home" npm ci
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 <node version, e.g. 22 or 22.12.0> <directory to install into>" >&2
  exit 2
fi
version=$1
prefix=$2
package="node-$(node -p process.platform)-$(node -p process.arch)"
npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$package@$version" >/dev/null
home="$(cd "$prefix/node_modules/$package" && pwd)"
installed=$("$home/bin/node" -p process.versions.node)
case "$installed" in
  "$version" | "$version".*) ;;
  *) echo "Asked the registry for Node.js $version and got $installed" >&2; exit 1 ;;
esac
echo "$home"
