#!/usr/bin/env bash
# The README's production path on a copy of what is committed: `npm ci --omit=dev`, `npm start`
# against the simulated Slack, /healthz answers 200, SIGTERM stops it cleanly; a second start
# does not rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
cleanup() {
  [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "${slack_pid:-}" ] && kill "$slack_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

git archive HEAD | tar -x -C "$work"
echo "production check: npm ci --omit=dev in $work"
(cd "$work" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
if [ -d "$work/node_modules/vitest" ] || [ -d "$work/node_modules/tsx" ]; then
  echo "production check: dev packages were installed; --omit=dev did not hold" >&2
  exit 1
fi

npx tsx test/helpers/serve-slack.ts >"$work/slack.url" &
slack_pid=$!
for _ in $(seq 1 100); do [ -s "$work/slack.url" ] && break; sleep 0.1; done
slack_url=$(sed -n 1p "$work/slack.url")
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

start_app() {
  (cd "$work" && exec env -i PATH="$PATH" HOME="$HOME" NODE_ENV=production PORT="$port" \
    SLACK_BOT_TOKEN=xoxb-production-check SLACK_SIGNING_SECRET=production-check-secret \
    SLACK_API_URL="$slack_url" DATABASE_URL="file:./data/check.db" \
    APP_ENCRYPTION_KEY="$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')" \
    npm start >"$work/app-$1.log" 2>&1) &
  app_pid=$!
}

wait_healthy() {
  for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$app_pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "production check: /healthz never answered 200" >&2
  cat "$work/app-$1.log" >&2
  return 1
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
  if [ -z "$node_pid" ]; then echo "production check: no app process found" >&2; return 1; fi
  kill -TERM "$node_pid"
  for _ in $(seq 1 100); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$node_pid" 2>/dev/null; then echo "production check: still running 10 s after SIGTERM" >&2; return 1; fi
  wait "$app_pid" 2>/dev/null || true
  app_pid=
  grep -q '"msg":"stopped"' "$work/app-$1.log" || { echo "production check: no clean stop logged" >&2; cat "$work/app-$1.log" >&2; return 1; }
}

start_app first
wait_healthy first
stop_app first
grep -q "building dist/" "$work/app-first.log" || { echo "production check: the first start did not build" >&2; exit 1; }

start_app second
wait_healthy second
stop_app second
if grep -q "building dist/" "$work/app-second.log"; then
  echo "production check: the second start rebuilt a current dist/" >&2
  exit 1
fi
echo "production check: passed (npm ci --omit=dev, npm start, /healthz 200, SIGTERM exit 0, no rebuild when current)"
