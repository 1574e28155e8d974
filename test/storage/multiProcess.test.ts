/**
 * Two real bot processes (`tsx index.ts`) sharing one Redis, as behind a load balancer: turns of one conversation
 * alternate between them, arrive at once, survive a process being killed and Redis going away.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { postMessage, recorder } from '../helpers/servers';
import { describeRedis, freePort, redisTestContext, REDIS_SERVER_BINARY, sleep, startRedisServer, stopRedisServer, TEST_REDIS_URL } from './redisTestSupport';

jest.setTimeout(90_000);

const ROOT = path.resolve(__dirname, '../..');

interface BotProcess {
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}

async function startBot(env: Record<string, string>, port?: number): Promise<BotProcess> {
  const botPort = port ?? (await freePort());
  // node itself (tsx as a loader, not the tsx CLI, which forks a child): killing it kills the bot.
  const child = spawn(process.execPath, ['--import', 'tsx', 'index.ts'], { cwd: ROOT, env: { ...process.env, OUTBOUND_PRIVATE_NETWORKS: '127.0.0.1', OUTBOUND_ALLOW_HTTP: 'true', ...env, PORT: String(botPort), LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${botPort}`;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`bot process exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200 || res.status === 503) break;
    } catch {
      await sleep(200);
    }
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  };
  return { url, child, stop };
}

interface Reply {
  text: string;
  replyToId?: string;
  channelData: { intent: string; slot?: string };
}


/** Posts one message of `conversation` and returns the replies (expectReplies, as the Emulator's test mode). */
async function say(bot: BotProcess, conversation: string, text: string): Promise<Reply[]> {
  const res = await postMessage(bot.url, text, { conversation: { id: conversation } });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return ((await res.json()) as { activities: Reply[] }).activities;
}

const last = async (bot: BotProcess, conversation: string, text: string) => (await say(bot, conversation, text)).at(-1)!;

describeRedis('two bot processes sharing Redis', () => {
  const redis = redisTestContext();
  let a: BotProcess;
  let b: BotProcess;
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: redis.prefix };

  beforeAll(async () => {
    [a, b] = await Promise.all([startBot(env), startBot(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis.cleanup();
  });

  it('completes a multi-turn dialog whose turns alternate between the processes', async () => {
    const conversation = `alt-${Date.now()}`;
    expect((await last(a, conversation, '提交资料显示为海外用户')).channelData.slot).toBe('region');
    expect((await last(b, conversation, '澳门')).channelData.slot).toBe('holderType');
    const answer = await last(a, conversation, '公司');
    expect(answer.channelData.intent).toBe('domain.overseas-user');
    expect(answer.text).toMatch(/中国站/);
  });

  it('answers 20 messages sent at once into one conversation over both processes, one turn at a time in arrival order', async () => {
    const hook = await recorder();
    try {
      const conversation = `burst-${Date.now()}`;
      const ids = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
      const posts: Promise<Response>[] = [];
      for (const [i, id] of ids.entries()) {
        const bot = i % 2 ? b : a;
        posts.push(
          fetch(`${bot.url}/api/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              type: 'message',
              id,
              channelId: 'emulator',
              serviceUrl: hook.url,
              from: { id: 'user' },
              recipient: { id: 'bot' },
              conversation: { id: conversation },
              text: i % 2 ? '注册者证件不完整' : '库中无此号',
            }),
          }),
        );
        // Staggered so that arrival order is the order sent: a turn takes its ticket after parsing, validation and the
        // token check, whose jitter on a loaded machine exceeded 15 ms.
        await sleep(50);
      }
      expect((await Promise.all(posts)).map((r) => r.status).every((s) => s === 200 || s === 202)).toBe(true);
      const bodies = (await hook.waitFor(20, 30_000)) as { replyToId?: string }[];
      const answered = bodies.map((body) => body.replyToId).filter((id): id is string => !!id);
      // Every message answered; a turn's replies all come before the next turn's.
      expect([...new Set(answered)]).toEqual(ids);
    } finally {
      await hook.close();
    }
  });

  it('continues at the same question after the process holding the dialog is killed and restarted', async () => {
    const conversation = `restart-${Date.now()}`;
    expect((await last(a, conversation, '不在实名库中')).channelData.slot).toBe('issueDate');
    const port = Number(new URL(a.url).port);
    await a.stop();
    a = await startBot(env, port);
    const help = await say(a, conversation, '帮助');
    expect(help.at(-1)!.channelData.slot).toBe('issueDate');
    const answer = await last(a, conversation, '2026年1月5日');
    expect(answer.channelData.intent).toBe('domain.cert-new-or-not-in-db');
    expect(answer.text).toMatch(/2026年1月15日/);
  });
});

/** A private redis-server that keeps its data on disk, so that stopping and starting it loses nothing. */
const describePrivateServer = REDIS_SERVER_BINARY ? describeRedis : describe.skip;

describePrivateServer('two bot processes when Redis stops and starts during a run', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnbot-mp-'));
  let server: ChildProcess;
  let port: number;
  let a: BotProcess;
  let b: BotProcess;
  const serverArgs = () => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];

  beforeAll(async () => {
    port = await freePort();
    server = await startRedisServer(port, serverArgs());
    const env = { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: 'mp:' };
    [a, b] = await Promise.all([startBot(env), startBot(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (server) await stopRedisServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('asks the user to retry shortly while Redis is away, stays up, and resumes the dialog when it is back', async () => {
    const conversation = `outage-${Date.now()}`;
    expect((await last(a, conversation, '不在实名库中')).channelData.slot).toBe('issueDate');

    await stopRedisServer(server);
    const started = Date.now();
    const during = await last(b, conversation, '2026年1月5日');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(during.text).toMatch(/稍后|重试/);
    expect((await fetch(`${a.url}/health`)).status).toBe(503);

    server = await startRedisServer(port, serverArgs());
    const until = Date.now() + 10_000;
    while (Date.now() < until && (await fetch(`${b.url}/health`)).status !== 200) await sleep(200);
    const answer = await last(b, conversation, '2026年1月5日');
    expect(answer.channelData.intent).toBe('domain.cert-new-or-not-in-db');
    expect(answer.text).toMatch(/2026年1月15日/);
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
  });
});
