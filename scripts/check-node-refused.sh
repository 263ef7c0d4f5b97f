#!/usr/bin/env bash
# Proves on a real old Node.js that `npm start` refuses it with one clear line and exit code 1, not a
# stack trace, before it touches a database.
#
#   scripts/check-node-refused.sh 18        # or an exact release, e.g. 22.11.0
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 <unsupported node version, e.g. 18>" >&2
  exit 2
fi
version=$1
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/contact-points-node$version.XXXXXX")
trap 'rm -rf "$work"' EXIT

node_home=$("$root/scripts/node-release.sh" "$version" "$work/runtime")
cd "$root"
status=0
# A server that starts instead of refusing is stopped after a while and fails the check.
output=$(PATH="$node_home/bin:$PATH" DATABASE_URL="sqlite:$work/contacts.sqlite" PORT=0 timeout 120 npm start 2>&1) || status=$?
printf '%s\n' "$output"

fail() { echo "FAILED on Node.js $("$node_home/bin/node" -p process.versions.node): $1" >&2; exit 1; }
[ "$status" = 1 ] || fail "npm start exited with $status, not 1"
grep -q '^Cannot start: contact-points needs Node.js ' <<<"$output" || fail "no one-line reason"
! grep -q '^ *at ' <<<"$output" || fail "a stack trace"
[ ! -e "$work/contacts.sqlite" ] || fail "the database was opened"
echo "npm start on Node.js $("$node_home/bin/node" -p process.versions.node) is refused with one line and exit code 1."
