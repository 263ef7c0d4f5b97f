#!/usr/bin/env bash
# The production image's steps (deploy/Dockerfile), run on this host where no container engine runs: a
# production-only install beside the built code, started as an unprivileged user who can write to the
# data directory only. Checks it serves, writes nothing outside the data directory, and prints the sizes.
# Needs `npm run build` first. Run as root, the server runs as `nobody`; otherwise as the current user.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/src/main.js ] || { echo "Run npm run build first." >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/contact-points-image.XXXXXX")
chmod 755 "$work"
app=$work/app
data=$work/data
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$app" "$data"

# Stage "dependencies": production dependencies only.
cp package.json package-lock.json "$app/"
(cd "$app" && npm ci --omit=dev --no-audit --no-fund --prefer-offline --ignore-scripts --loglevel=error)
# The image builds sqlite3's native module in its own install step; here the one this checkout built for
# the same Node is reused, which keeps this check to a minute instead of a compile.
cp -r node_modules/sqlite3/build "$app/node_modules/sqlite3/"
# Stage "image": compiled code, the schema, GraphiQL's page files.
mkdir -p "$app/dist" "$app/src/graphiql"
cp -r dist/src "$app/dist/src"
cp -r src/graphiql/browser "$app/src/graphiql/"
cp schema.graphql "$app/"
chmod -R a-w "$app"

as_service=()
if [ "$(id -u)" = 0 ]; then
  chown nobody "$data"
  as_service=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
secret=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')
settings=(PATH="$PATH" NODE_ENV=production HOST=127.0.0.1 PORT="$port" PUBLIC_URL="http://127.0.0.1:$port"
  DATABASE_URL="sqlite:$data/contacts.sqlite" MAIL_TRANSPORT=file MAIL_LOG_FILE="$data/mail.log" AUTH_JWT_SECRET="$secret" LOG_LEVEL=warn)
marker=$work/started
touch "$marker"
(cd "$app" && exec "${as_service[@]}" env -i "${settings[@]}" node dist/src/main.js) >"$work/server.log" 2>&1 &
server=$!

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$work/server.log" >&2; echo "The server did not start." >&2; exit 1; fi
  sleep 0.3
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log" >&2; echo "/healthz did not answer 200." >&2; exit 1; }
token=$(cd "$app" && "${as_service[@]}" env -i "${settings[@]}" node dist/src/scripts/token.js --email operator@example.com)
answer=$(curl -fsS -H "authorization: Bearer $token" -H 'content-type: application/json' \
  --data '{"query":"{ viewer { email } }"}' "http://127.0.0.1:$port/graphql")
case "$answer" in
  *'"operator@example.com"'*) ;;
  *) echo "Unexpected answer: $answer" >&2; cat "$work/server.log" >&2; exit 1 ;;
esac
[ -s "$data/contacts.sqlite" ] || { echo "No database in the data directory." >&2; exit 1; }
written=$(find "$work" -newer "$marker" -type f ! -path "$data/*" ! -name server.log)
if [ -n "$written" ]; then echo "Written outside the data directory: $written" >&2; exit 1; fi

kill -TERM "$server"
wait "$server" || { echo "The server did not stop cleanly on SIGTERM." >&2; cat "$work/server.log" >&2; exit 1; }
server=""

echo "| install | node_modules | whole app |"
echo "| --- | ---: | ---: |"
echo "| full (npm ci) | $(du -sm node_modules | cut -f1) MB | |"
echo "| production (npm ci --omit=dev) | $(du -sm "$app/node_modules" | cut -f1) MB | $(du -sm "$app" | cut -f1) MB |"
echo "Served /healthz and a GraphQL query as $([ "$(id -u)" = 0 ] && echo nobody || id -un), with only $data writable; stopped cleanly on SIGTERM."
