/**
 * Shared by the storage tests that need a real Redis server (TEST_REDIS_URL, default redis://127.0.0.1:6379).
 *
 * - Redis unreachable: under CI=true the suite FAILS; otherwise it is skipped with a loud warning.
 * - Every test file works under its own random key prefix and deletes its keys afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import { randomUUID } from 'crypto';
import * as net from 'net';
import { Redis } from 'ioredis';
import { FAIL_FAST_OPTIONS, reconnectDelay } from '../../storage/redisClient';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const PROBE = `
const net = require('net');
const u = new URL(process.argv[1]);
const s = net.connect(Number(u.port || 6379), u.hostname, () => s.write('PING\\r\\n'));
s.setTimeout(1500, () => process.exit(1));
s.on('error', () => process.exit(1));
s.on('data', (d) => process.exit(/^(\\+PONG|-NOAUTH)/.test(String(d)) ? 0 : 1));
`;

/** Synchronous, so that the suite can be declared skipped or failing before jest collects it. */
function redisAnswers(url: string): boolean {
  const result = spawnSync(process.execPath, ['-e', PROBE, url], { timeout: 3000 });
  return result.status === 0;
}

export const REDIS_UP = redisAnswers(TEST_REDIS_URL);

/** `describe` for tests that need Redis: runs them, fails them (CI) or skips them loudly. */
export function describeRedis(name: string, body: () => void): void {
  if (REDIS_UP) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs Redis at ${TEST_REDIS_URL}`, () => {
        throw new Error(`Redis is not reachable at ${TEST_REDIS_URL} and CI=true: Redis tests must not be skipped in CI.`);
      });
    });
  } else {
    console.warn(
      `\n${'!'.repeat(100)}\n!!! SKIPPING "${name}": Redis is not reachable at ${TEST_REDIS_URL}.\n` +
        `!!! Start it: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no\n` +
        `!!! Under CI=true these tests FAIL instead of being skipped.\n${'!'.repeat(100)}\n`,
    );
    describe.skip(name, body);
  }
}

/** A random key prefix for one test file, and the clients it opened; `cleanup()` deletes the keys and closes the clients. */
export function redisTestContext() {
  const prefix = `test:${randomUUID()}:`;
  const clients: Redis[] = [];
  const newClient = (url = TEST_REDIS_URL): Redis => {
    const client = new Redis(url, { ...FAIL_FAST_OPTIONS, retryStrategy: reconnectDelay });
    client.on('error', () => undefined); // failures surface as rejected commands
    clients.push(client);
    return client;
  };
  const cleanup = async (): Promise<void> => {
    const admin = new Redis(TEST_REDIS_URL, { ...FAIL_FAST_OPTIONS, retryStrategy: reconnectDelay });
    admin.on('error', () => undefined);
    try {
      await waitReady(admin);
      let cursor = '0';
      do {
        const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (batch.length) await admin.del(...batch);
      } while (cursor !== '0');
      const [, left] = await admin.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 100000);
      if (left.length) throw new Error(`test keys left behind under ${prefix}: ${left.length}`);
    } finally {
      admin.disconnect();
      for (const client of clients) client.disconnect();
    }
  };
  return { prefix, newClient, cleanup };
}

export function waitReady(client: Redis, ms = 3000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Redis not ready within ${ms} ms`));
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A TCP port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether a redis-server binary is available for tests that start their own server. */
export const REDIS_SERVER_BINARY = spawnSync('redis-server', ['--version']).status === 0;

/**
 * Starts a private redis-server (never the shared one) on `port`, by default a plain in-memory server;
 * `args` replaces the command line (Sentinel, Cluster). Stop it with `stopRedisServer`.
 */
export async function startRedisServer(port: number, args?: string[]): Promise<ChildProcess> {
  const argv = args ?? ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', argv, { stdio: 'ignore' });
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    if (redisAnswers(`redis://127.0.0.1:${port}`)) return child;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`private redis-server on port ${port} did not start`);
}

export async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}
