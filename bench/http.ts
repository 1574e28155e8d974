import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import { randomUUID } from 'crypto';
import { summarize, type LatencySummary } from './classification';
import { fromRoot } from '../config/paths';

export interface ServerUnderTest {
  name: string;
  url: string;
  process: ChildProcess;
  /** Process start (spawn) to its first answered message, ms. */
  startMs: number;
  stop(): Promise<void>;
}

/** Where the bot's replies go: POSTed to a local connector (serviceUrl), or returned in the HTTP response. */
export interface ReplyRoute {
  mode: 'connector' | 'expectReplies';
  serviceUrl: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

// BENCH_PORTS=4630-4660 keeps every server the bench starts in that range (a machine shared by several benches).
const PORT_RANGE = /^(\d+)-(\d+)$/.exec(process.env.BENCH_PORTS ?? '');
let nextPort = PORT_RANGE ? Number(PORT_RANGE[1]) : 0;

/** A free port on 127.0.0.1, for a child process that cannot be told to listen on port 0 and report back. */
export async function freePort(): Promise<number> {
  if (PORT_RANGE) {
    if (nextPort > Number(PORT_RANGE[2])) throw new Error(`BENCH_PORTS ${process.env.BENCH_PORTS}: no port left`);
    return nextPort++;
  }
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One message turn over the Bot Framework protocol; resolves when the bot has finished the turn (HTTP response). */
export async function turn(url: string, route: ReplyRoute, conversationId: string, text: string): Promise<void> {
  const activity = {
    type: 'message',
    id: randomUUID(),
    channelId: 'emulator',
    serviceUrl: route.serviceUrl,
    from: { id: `user-${conversationId}` },
    recipient: { id: 'bot' },
    conversation: { id: conversationId },
    locale: 'zh-CN',
    text,
    ...(route.mode === 'expectReplies' ? { deliveryMode: 'expectReplies' } : {}),
  };
  const res = await post(`${url}/api/messages`, JSON.stringify(activity));
  if (res.status < 200 || res.status >= 300) throw new Error(`turn answered ${res.status}`);
}

/**
 * Starts a compiled script (`dist/...js`) with node on a free port and waits for its first answered message: the start
 * time measured is what a user of `node dist/index.js` waits for.
 */
export async function startServer(name: string, script: string, route: ReplyRoute, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<ServerUnderTest> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, fromRoot(script)], {
    cwd: fromRoot(),
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const probe = `start-${randomUUID()}`;
  for (;;) {
    try {
      await turn(url, route, probe, '你好');
      break;
    } catch {
      if (performance.now() - started > 60_000 || child.exitCode !== null) throw new Error(`${script} did not answer`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const startMs = Math.round(performance.now() - started);
  return {
    name,
    url,
    process: child,
    startMs,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/**
 * The node options `npm start` runs the bot with (package.json's start script, `node [options] dist/index.js`), so that
 * the bench measures the program as users start it.
 */
export function npmStartNodeArgs(): string[] {
  const start = (JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? '';
  const match = /^node((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/index\.js$/.exec(start.trim());
  if (!match) throw new Error(`npm start is not "node [options] dist/index.js": ${start}`);
  return match[1].trim().split(/\s+/).filter(Boolean);
}

/** Resident memory of a process, MB. */
export function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : undefined;
}

let conversationsPlayed = 0;

/**
 * A conversation as users have it: a greeting, a prompt, the issue date it asks for, a second prompt, thanks. Each gets its
 * own issue date, as users type different ones, so that nothing read once serves every conversation.
 */
function script(): string[] {
  const issued = new Date(Date.UTC(2026, 10, 15) - (conversationsPlayed++ % 3000) * 86_400_000);
  const date = `${issued.getUTCFullYear()}年${issued.getUTCMonth() + 1}月${issued.getUTCDate()}日`;
  return ['你好', '身份证是新办的，提示不在实名库中', date, '注册者证件不清晰/被遮挡', '谢谢'];
}

export interface LoadResult extends LatencySummary {
  turns: number;
  seconds: number;
  turnsPerSecond: number;
}

/**
 * `conversations` users at once, each playing conversations back to back for `seconds`; every turn is timed. With several
 * urls, a conversation's turns go to them in turn (instances behind a balancer without sticky sessions).
 */
export async function load(urls: string[], route: ReplyRoute, conversations: number, seconds: number): Promise<LoadResult> {
  const durations: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: conversations }, async (_, user) => {
      let sent = user;
      while (performance.now() < deadline) {
        const id = randomUUID();
        for (const text of script()) {
          const t0 = performance.now();
          await turn(urls[sent++ % urls.length], route, id, text);
          durations.push(performance.now() - t0);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { ...summarize(durations), turns: durations.length, seconds: Math.round(elapsed * 100) / 100, turnsPerSecond: Math.round(durations.length / elapsed) };
}
