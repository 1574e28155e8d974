// What one turn costs the bot, for comparing a change before and after on a shared machine where turns/s alone
// varies with the neighbours' load: CPU ms per turn (from /proc/<pid>/stat) and Redis commands per turn (INFO
// commandstats; point REDIS_URL at a private redis-server so that no other client's commands are counted).
// With --alloc, also what a turn allocates, by function: a sampling heap profile over the run (through the inspector on
// port+10) that keeps the objects collected meanwhile, so that it counts allocation and not what survives.
//   node dist/scripts/turnCost.js [--port 4610] [--seconds 10] [--warm-up 3] [--conversations 16] [--alloc [rows]]
import * as fs from 'fs';
import { spawn } from 'child_process';
import { randomUUID } from 'crypto';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { startLocalConnector } from '../bench/connector';
import { load, npmStartNodeArgs, rssMb, turn, type ReplyRoute } from '../bench/http';
import { fromRoot } from '../config/paths';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const PORT = Number(option('port', '4610'));
const SECONDS = Number(option('seconds', '10'));
const WARM_UP_SECONDS = Number(option('warm-up', '3'));
const CONVERSATIONS = Number(option('conversations', '16'));
// Linux's USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100 on every architecture Node supports.
const CLOCK_TICKS_PER_SECOND = 100;

/** User plus system CPU time of a process so far, ms. */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

const ALLOC = process.argv.includes('--alloc');
const ALLOC_ROWS = Number(option('alloc', '25')) || 25;

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** The bot's inspector, for one sampling heap profile. */
async function inspector(port: number): Promise<{ send(method: string, params?: object): Promise<unknown>; close(): void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const pending = new Map<number, (result: unknown) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  let id = 0;
  return {
    send: (method, params = {}) => new Promise((resolve) => (pending.set(++id, resolve), socket.send(JSON.stringify({ id, method, params })))),
    close: () => socket.close(),
  };
}

/** Bytes allocated by function over a profile, largest first. */
function allocationByFunction(head: ProfileNode): { total: number; rows: [string, number][] } {
  const byFunction = new Map<string, number>();
  let total = 0;
  const visit = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(fromRoot(), '')}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
    total += node.selfSize;
    node.children.forEach(visit);
  };
  visit(head);
  return { total, rows: [...byFunction].sort((a, b) => b[1] - a[1]) };
}

/** Commands served so far by the Redis server, by command. */
async function commandCounts(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  return new Map([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
}

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const connector = await startLocalConnector(PORT + 1);
  const route: ReplyRoute = { mode: 'connector', serviceUrl: connector.url };
  const inspectPort = PORT + 10;
  const bot = spawn(process.execPath, [...npmStartNodeArgs(), ...(ALLOC ? [`--inspect=127.0.0.1:${inspectPort}`] : []), fromRoot('dist/index.js')], {
    cwd: fromRoot(),
    env: { ...process.env, PORT: String(PORT), LOG_LEVEL: 'warn', REDIS_URL: redisUrl, REDIS_SENTINELS: '', REDIS_CLUSTER_NODES: '', REDIS_KEY_PREFIX: `turncost:${randomUUID()}:` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const redis = new Redis(redisUrl, { lazyConnect: true });
  try {
    const url = `http://127.0.0.1:${PORT}`;
    for (const started = Date.now(); ; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() - started > 60_000 || bot.exitCode !== null) throw new Error('the bot did not answer');
      if (await turn(url, route, `start-${randomUUID()}`, '你好').then(() => true, () => false)) break;
    }
    await load([url], route, CONVERSATIONS, WARM_UP_SECONDS);
    await redis.connect();
    const profiler = ALLOC ? await inspector(inspectPort) : undefined;
    await profiler?.send('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    const [cpuBefore, commandsBefore] = [cpuMs(bot.pid!), await commandCounts(redis)];
    const result = await load([url], route, CONVERSATIONS, SECONDS);
    const [cpuAfter, commandsAfter] = [cpuMs(bot.pid!), await commandCounts(redis)];
    const allocation = profiler && allocationByFunction(((await profiler.send('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } }).profile.head);
    profiler?.close();
    const perCommand = Object.fromEntries(
      [...commandsAfter]
        .map(([name, calls]) => [name, calls - (commandsBefore.get(name) ?? 0) - (name === 'info' ? 1 : 0)] as const)
        .filter(([, calls]) => calls > 0)
        .map(([name, calls]) => [name, Math.round((calls / result.turns) * 100) / 100]),
    );
    const commands = Object.values(perCommand).reduce((a, b) => a + b, 0);
    console.log(JSON.stringify({
      conversations: CONVERSATIONS, turns: result.turns, turnsPerSecond: result.turnsPerSecond, p50Ms: result.p50Ms, p99Ms: result.p99Ms,
      cpuMsPerTurn: Math.round(((cpuAfter - cpuBefore) / result.turns) * 1000) / 1000,
      redisCommandsPerTurn: Math.round(commands * 100) / 100, perCommand, rssMb: rssMb(bot.pid),
      ...(allocation ? { allocatedKbPerTurn: Math.round(allocation.total / result.turns / 1024) } : {}),
    }));
    // The profiler's own cost is in these CPU figures: compare runs with and without --alloc only with each other.
    for (const [name, bytes] of allocation?.rows.slice(0, ALLOC_ROWS) ?? []) console.log(`${(bytes / result.turns / 1024).toFixed(1).padStart(7)} KB/turn  ${name}`);
  } finally {
    redis.disconnect();
    bot.kill('SIGTERM');
    await connector.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
