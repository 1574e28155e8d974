// Benchmarks (npm run bench): figures for the notes, never pass/fail.
import * as fs from 'fs';
import { randomUUID } from 'crypto';
import { benchClassification } from '../bench/classification';
import { load, startServer } from '../bench/http';

const CONVERSATIONS = 16;
/** Rounds of the script per conversation while warming up (JIT, caches, connections), then while measuring. */
const WARM_UP_ROUNDS = 4;
const ROUNDS = 10;

function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : undefined;
}

async function main(): Promise<void> {
  console.log(JSON.stringify({ benchmark: 'classification (~60-char messages, after start-up)', ...benchClassification() }));

  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const echo = await startServer('bench/echoServer.ts', 3991);
  const bot = await startServer('index.ts', 3992, { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `bench:${randomUUID()}:` });
  // The same bot with state in memory: what Redis costs, apart from what the bot's own work costs.
  const memoryBot = await startServer('index.ts', 3993, { REDIS_URL: '', REDIS_SENTINELS: '', REDIS_CLUSTER_NODES: '' });
  try {
    const servers = [echo, bot, memoryBot];
    for (const server of servers) await load(server.url, CONVERSATIONS, WARM_UP_ROUNDS);
    const results = [];
    for (const server of servers) results.push(await load(server.url, CONVERSATIONS, ROUNDS));
    const [echoRun, botRun, memoryRun] = results;
    console.log(JSON.stringify({ benchmark: 'echo bot over /api/messages', ...echoRun, rssMb: rssMb(echo.process.pid) }));
    console.log(JSON.stringify({ benchmark: `full bot over /api/messages, Redis state (${redisUrl})`, ...botRun, rssMb: rssMb(bot.process.pid) }));
    console.log(JSON.stringify({ benchmark: 'full bot over /api/messages, in-memory state', ...memoryRun, rssMb: rssMb(memoryBot.process.pid) }));
    console.log(JSON.stringify({ benchmark: 'throughput ratio full/echo (target >= 0.7)', ratio: Math.round((botRun.turnsPerSecond / echoRun.turnsPerSecond) * 100) / 100 }));
    console.log(JSON.stringify({ benchmark: 'throughput ratio Redis/in-memory state', ratio: Math.round((botRun.turnsPerSecond / memoryRun.turnsPerSecond) * 100) / 100 }));
  } finally {
    await Promise.all([echo.stop(), bot.stop(), memoryBot.stop()]);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
