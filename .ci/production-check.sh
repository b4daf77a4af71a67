#!/usr/bin/env bash
# The README's production path on a copy of what is committed: `npm ci --omit=dev`, `npm start`
# against the simulated Slack, /healthz answers 200, SIGTERM stops it cleanly; every operator script
# (dnc:import, leads:import, secrets:rotate, secrets:forget, workspace:remove) runs from the build on
# that install; a lost key refuses the start (exit 78) until secrets:forget; a second start does not
# rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
cleanup() {
  [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "${slack_pid:-}" ] && kill "$slack_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "production check: $1" >&2
  [ -n "${2:-}" ] && cat "$2" >&2
  exit 1
}

git archive HEAD | tar -x -C "$work"
echo "production check: npm ci --omit=dev in $work"
(cd "$work" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
if [ -d "$work/node_modules/vitest" ] || [ -d "$work/node_modules/tsx" ]; then
  fail "dev packages were installed; --omit=dev did not hold"
fi

# One process (not npx, whose tsx child would outlive the kill at exit and hold this script's output open).
node --import tsx test/helpers/serve-slack.ts >"$work/slack.url" &
slack_pid=$!
for _ in $(seq 1 100); do [ -s "$work/slack.url" ] && break; sleep 0.1; done
slack_url=$(sed -n 1p "$work/slack.url")
new_key() { node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))'; }
key=$(new_key)
previous=

# Leadline listens on PORT=0 and logs the port the system gave it ("Leadline is listening").
start_app() {
  (cd "$work" && exec env -i PATH="$PATH" HOME="$HOME" NODE_ENV=production PORT=0 \
    SLACK_BOT_TOKEN=xoxb-production-check SLACK_SIGNING_SECRET=production-check-secret \
    SLACK_API_URL="$slack_url" DATABASE_URL="file:./data/check.db" APP_ENCRYPTION_KEY="$key" \
    npm start >"$work/app-$1.log" 2>&1) &
  app_pid=$!
}

# The first start builds dist/ (tsc: a minute or more on a busy two-core machine), so it is waited
# for as long as the process lives, up to ten minutes.
wait_healthy() {
  local port=""
  for _ in $(seq 1 3000); do
    port=$(grep -o '"port":[0-9]*,[^}]*"msg":"Leadline is listening"' "$work/app-$1.log" | head -n1 | sed 's/"port":\([0-9]*\).*/\1/' || true)
    if [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$app_pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  fail "/healthz never answered 200" "$work/app-$1.log"
}

# SIGTERM goes to the node process, as a process manager (systemd's control group, Kubernetes) sends
# it to every process of the service: npm itself does not forward signals to the script it runs.
stop_app() {
  local node_pid="" pid
  # The node process itself (npm may run it through `sh -c`, which must not be the one signalled).
  for pid in $(pgrep -x node || true); do
    if [ "$(readlink "/proc/$pid/cwd")" = "$work" ] && grep -q "scripts/start.mjs" "/proc/$pid/cmdline"; then
      node_pid=$pid
      break
    fi
  done
  if [ -z "$node_pid" ]; then fail "no app process found"; fi
  kill -TERM "$node_pid"
  for _ in $(seq 1 100); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$node_pid" 2>/dev/null; then fail "still running 10 s after SIGTERM"; fi
  wait "$app_pid" 2>/dev/null || true
  app_pid=
  grep -q '"msg":"stopped"' "$work/app-$1.log" || fail "no clean stop logged" "$work/app-$1.log"
}

# `npm run <script> -- <args>` on the production install, with the app's environment; prints nothing
# on success. $1 the log name, $2 the exit code it must end with, $3 text its output must hold.
script_runs() {
  local name=$1 want=$2 expect=$3 code=0
  shift 3
  (cd "$work" && env -i PATH="$PATH" HOME="$HOME" NODE_ENV=production DATABASE_URL="file:./data/check.db" \
    APP_ENCRYPTION_KEY="$key" ${previous:+APP_ENCRYPTION_KEY_PREVIOUS="$previous"} \
    npm run --silent "$@" >"$work/script-$name.log" 2>&1) || code=$?
  if grep -q "tsx: not found\|tsx: command not found" "$work/script-$name.log"; then
    fail "npm run $1 looked for tsx" "$work/script-$name.log"
  fi
  [ "$code" = "$want" ] || fail "npm run $1 exited $code, not $want" "$work/script-$name.log"
  grep -qF -- "$expect" "$work/script-$name.log" || fail "npm run $1 did not say \"$expect\"" "$work/script-$name.log"
  ! grep -q "building dist/" "$work/script-$name.log" || fail "npm run $1 rebuilt a current dist/" "$work/script-$name.log"
}

start_app first
wait_healthy first
stop_app first
grep -q "building dist/" "$work/app-first.log" || fail "the first start did not build" "$work/app-first.log"

# The operator scripts, from the build the first start made.
printf '2125550101\n212,5550102\n2125550103\n' >"$work/212.txt"
script_runs dnc 0 "Imported 3 numbers" dnc:import -- "$work/212.txt" --fetched "$(date -u +%F)"
head -c 65536 /dev/urandom >"$work/photo.jpg"
printf '\0' | dd of="$work/photo.jpg" bs=1 seek=10 conv=notrunc status=none
script_runs dnc-binary 1 "is a binary file, not text" dnc:import -- "$work/photo.jpg"
printf 'name,phone\nJane Doe,(212) 555-0182\nBob Roe,212-555-0199\n' >"$work/leads.csv"
script_runs leads 0 "Created 2, duplicates 0, rejected 0." leads:import -- "$work/leads.csv"

# A stored secret under the first key (as /twilio-setup saves one), written through the build.
team=$(cd "$work" && env -i PATH="$PATH" DATABASE_URL="file:./data/check.db" APP_ENCRYPTION_KEY="$key" \
  node --input-type=module -e '
    const { openDatabase } = await import("./dist/src/services/store/db.js");
    const { createSecretStore } = await import("./dist/src/services/store/secrets.js");
    const { toEncryptionKey } = await import("./dist/src/lib/crypto.js");
    const { decodeKey } = await import("./dist/src/config.js");
    const { database } = await openDatabase(process.env.DATABASE_URL);
    const key = toEncryptionKey(decodeKey(process.env.APP_ENCRYPTION_KEY));
    const ws = await database.prisma.workspace.findFirstOrThrow();
    await createSecretStore({ db: database.prisma, keyring: { current: key, all: [key] } })
      .setMany(ws.id, { "twilio.authToken": "production-check-token" }, "production-check");
    await database.close();
    console.log(ws.teamId);
  ')
previous=$key
key=$(new_key)
script_runs rotate 0 "Re-encrypted 1 of 1 secrets" secrets:rotate
previous=

# The rotated-to key lost for good: the start is refused, naming secrets:forget; it clears the way.
key=$(new_key)
start_app lost
for _ in $(seq 1 300); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$app_pid" 2>/dev/null && fail "a start with a lost key kept running" "$work/app-lost.log"
lost_code=0
wait "$app_pid" || lost_code=$?
app_pid=
[ "$lost_code" = 78 ] || fail "a start with a lost key exited $lost_code, not 78" "$work/app-lost.log"
grep -q 'npm run secrets:forget -- --yes' "$work/app-lost.log" || fail "a lost key did not stop the start naming secrets:forget" "$work/app-lost.log"
script_runs forget-dry 2 "Nothing was deleted." secrets:forget
script_runs forget 0 "Deleted 1 stored secrets" secrets:forget -- --yes

start_app second
wait_healthy second
stop_app second
if grep -q "building dist/" "$work/app-second.log"; then
  fail "the second start rebuilt a current dist/" "$work/app-second.log"
fi

script_runs remove 0 "Removed workspace $team: 2 leads" workspace:remove -- "$team" --yes
echo "production check: passed (npm ci --omit=dev, npm start, /healthz 200, SIGTERM exit 0; dnc:import, leads:import, secrets:rotate, secrets:forget and workspace:remove from dist/; a lost key refused until secrets:forget; no rebuild when current)"
