// What one turn costs the bot, for comparing a change before and after on a shared machine where turns/s alone
// varies with the neighbours' load: CPU ms per turn (from /proc/<pid>/stat) and Redis commands per turn (INFO
// commandstats; point REDIS_URL at a private redis-server so that no other client's commands are counted).
//   node dist/scripts/turnCost.js [--port 4610] [--seconds 10] [--warm-up 3] [--conversations 16]
import * as fs from 'fs';
import { spawn } from 'child_process';
import { randomUUID } from 'crypto';
import Redis from 'ioredis';
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

/** Commands served so far by the Redis server, by command. */
async function commandCounts(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  return new Map([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
}

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const connector = await startLocalConnector(PORT + 1);
  const route: ReplyRoute = { mode: 'connector', serviceUrl: connector.url };
  const bot = spawn(process.execPath, [...npmStartNodeArgs(), fromRoot('dist/index.js')], {
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
    const [cpuBefore, commandsBefore] = [cpuMs(bot.pid!), await commandCounts(redis)];
    const result = await load([url], route, CONVERSATIONS, SECONDS);
    const [cpuAfter, commandsAfter] = [cpuMs(bot.pid!), await commandCounts(redis)];
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
    }));
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
