// Benchmarks (npm run bench): figures for the notes, never pass/fail. Runs the compiled programs, as users run them:
// the bot (dist/index.js) against a bare botbuilder echo bot (dist/bench/echoBot.js), same harness, same run.
//   npm run bench -- [--seconds 10] [--warm-up 3] [--expect-replies] [--cpu-prof DIR]   (BENCH_PORTS=4630-4660: ports used)
import { randomUUID } from 'crypto';
import { benchClassification } from '../bench/classification';
import { startLocalConnector } from '../bench/connector';
import { freePort, load, npmStartNodeArgs, rssMb, startServer, type LoadResult, type ReplyRoute, type ServerUnderTest } from '../bench/http';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const SECONDS = Number(option('seconds', '10'));
const WARM_UP_SECONDS = Number(option('warm-up', '3'));
const LEVELS = [16, 1, 64];
const CPU_PROFILE_DIR = process.argv.includes('--cpu-prof') ? option('cpu-prof', 'bench-profiles') : undefined;

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const print = (record: Record<string, unknown>) => console.log(JSON.stringify(record));

async function measure(servers: ServerUnderTest[], urls: string[], route: ReplyRoute, conversations: number): Promise<LoadResult> {
  await load(urls, route, conversations, WARM_UP_SECONDS);
  const result = await load(urls, route, conversations, SECONDS);
  const rss = Object.fromEntries(servers.map((s) => [`rssMb.${s.name}`, rssMb(s.process.pid)]));
  print({ run: servers.map((s) => s.name).join('+'), conversations, ...result, ...rss });
  return result;
}

async function main(): Promise<void> {
  print({ benchmark: 'classification, ~60-char messages, after start-up', ...benchClassification() });
  print({ bot: `node ${[...npmStartNodeArgs(), 'dist/index.js'].join(' ')}`, echo: 'node dist/bench/echoBot.js' });

  const connector = await startLocalConnector(await freePort());
  const route: ReplyRoute = process.argv.includes('--expect-replies')
    ? { mode: 'expectReplies', serviceUrl: 'http://127.0.0.1:9' }
    : { mode: 'connector', serviceUrl: connector.url };
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const redisEnv = { REDIS_URL: redisUrl, REDIS_SENTINELS: '', REDIS_CLUSTER_NODES: '', REDIS_KEY_PREFIX: `bench:${randomUUID()}:` };
  const profile = (name: string) => (CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const started: ServerUnderTest[] = [];
  // The bot with the options npm start gives it; the echo bot as botbuilder's samples start it.
  const botArgs = npmStartNodeArgs();
  const start = async (name: string, script: string, env: NodeJS.ProcessEnv = {}) => {
    const server = await startServer(name, script, route, env, [...(script === 'dist/index.js' ? botArgs : []), ...profile(name)]);
    started.push(server);
    print({ started: name, startMs: server.startMs, rssMb: rssMb(server.process.pid) });
    return server;
  };
  try {
    // One at a time, so that each start has the machine to itself.
    const echo = await start('echo', 'dist/bench/echoBot.js');
    const bot = await start('bot', 'dist/index.js', redisEnv);
    const byLevel = new Map<number, { echo: LoadResult; bot: LoadResult }>();
    let rssAfterLoad = { echo: 0, bot: 0 };
    for (const conversations of LEVELS) {
      const echoRun = await measure([echo], [echo.url], route, conversations);
      const botRun = await measure([bot], [bot.url], route, conversations);
      byLevel.set(conversations, { echo: echoRun, bot: botRun });
      if (conversations === 16) rssAfterLoad = { echo: rssMb(echo.process.pid) ?? 0, bot: rssMb(bot.process.pid) ?? 0 };
    }
    const second = await start('bot2', 'dist/index.js', redisEnv);
    const pair = await measure([bot, second], [bot.url, second.url], route, 16);
    await second.stop();
    const memoryBot = await start('bot-memory', 'dist/index.js', { REDIS_URL: '', REDIS_SENTINELS: '', REDIS_CLUSTER_NODES: '' });
    const memoryRun = await measure([memoryBot], [memoryBot.url], route, 16);

    const at16 = byLevel.get(16)!;
    print({ summary: 'replies', mode: route.mode, ...connector.counts() });
    for (const [conversations, { echo: e, bot: b }] of byLevel) {
      print({ summary: `bot (Redis) / echo, ${conversations} conversations`, turnsPerSecondRatio: ratio(b.turnsPerSecond, e.turnsPerSecond), botTurnsPerSecond: b.turnsPerSecond, echoTurnsPerSecond: e.turnsPerSecond, botP50Ms: b.p50Ms, botP99Ms: b.p99Ms, echoP50Ms: e.p50Ms, echoP99Ms: e.p99Ms });
    }
    print({ summary: 'two bot instances on one Redis / echo, 16 conversations', turnsPerSecondRatio: ratio(pair.turnsPerSecond, at16.echo.turnsPerSecond), turnsPerSecond: pair.turnsPerSecond, p50Ms: pair.p50Ms, p99Ms: pair.p99Ms });
    print({ summary: 'bot, in-memory state / echo, 16 conversations', turnsPerSecondRatio: ratio(memoryRun.turnsPerSecond, at16.echo.turnsPerSecond), turnsPerSecond: memoryRun.turnsPerSecond, p99Ms: memoryRun.p99Ms });
    print({ summary: 'RSS after the 16-conversation load run, MB', echo: rssAfterLoad.echo, bot: rssAfterLoad.bot, botMinusEcho: rssAfterLoad.bot - rssAfterLoad.echo });
    print({ summary: 'start, process start to first answered message, ms', echo: echo.startMs, bot: bot.startMs, ratio: ratio(bot.startMs, echo.startMs) });
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await connector.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
