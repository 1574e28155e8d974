#!/usr/bin/env bash
# What `npm test` needs beyond node_modules, run first by `npm test` (pretest):
#   - Redis answering on 127.0.0.1:6379 (a local redis-server is started when nothing answers);
#   - Debian's chromium and CJK fonts for the browser tests (never a downloaded browser).
# Missing packages are installed with apt-get when we may (root, apt-get present); otherwise one line says what to
# install and the script fails, so a test run never passes by silently skipping what it could not reach.
set -u
cd "$(dirname "$0")/.."

REDIS_HOST=127.0.0.1
REDIS_PORT=6379
missing=()

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

apt_install() {
  can_install || return 1
  echo "test-setup: installing $* with apt-get" >&2
  if [ -z "${APT_UPDATED:-}" ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

redis_answers() { (exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT" && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

if ! redis_answers; then
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server || missing+=(redis-server)
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
    for _ in $(seq 1 50); do redis_answers && break; sleep 0.1; done
    redis_answers || { echo "test-setup: redis-server did not answer on $REDIS_HOST:$REDIS_PORT" >&2; exit 1; }
  fi
fi

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then apt_install chromium || missing+=(chromium); fi
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then apt_install fonts-noto-cjk || missing+=(fonts-noto-cjk); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "test-setup: missing ${missing[*]}: install them (sudo apt-get install -y ${missing[*]}), then run npm test again." >&2
  exit 1
fi
