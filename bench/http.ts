import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { summarize, type LatencySummary } from './classification';
import { PACKAGE_ROOT } from '../config/paths';

const ROOT = PACKAGE_ROOT;

export interface ServerUnderTest {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a server script with tsx on a port and waits until it answers. */
export async function startServer(script: string, port: number, env: NodeJS.ProcessEnv = {}): Promise<ServerUnderTest> {
  // node itself with tsx as a loader (the tsx CLI forks a child): the pid is the server's, for its RSS and its stop.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(`${url}/health`);
      break;
    } catch {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`${script} did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** One turn over the Bot Framework protocol, replies in the HTTP response (deliveryMode expectReplies). */
export async function turn(url: string, conversationId: string, text: string): Promise<{ activities: { text?: string; channelData?: Record<string, unknown> }[] }> {
  const res = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: randomUUID(),
      channelId: 'emulator',
      serviceUrl: 'http://127.0.0.1:9',
      deliveryMode: 'expectReplies',
      from: { id: `user-${conversationId}` },
      recipient: { id: 'bot' },
      conversation: { id: conversationId },
      locale: 'zh-CN',
      text,
    }),
  });
  if (!res.ok) throw new Error(`turn answered ${res.status}`);
  return (await res.json()) as { activities: { text?: string }[] };
}

let conversationsPlayed = 0;

/**
 * A conversation as users have it: a prompt, a question for a detail, the answer. Each gets its own issue date, as
 * users type different ones, so that nothing read once serves every conversation.
 */
function script(): string[] {
  const issued = new Date(Date.UTC(2026, 10, 15) - conversationsPlayed++ * 86_400_000);
  const date = `${issued.getUTCFullYear()}年${issued.getUTCMonth() + 1}月${issued.getUTCDate()}日`;
  return ['你好', '身份证是新办的，提示不在实名库中', date, '注册者证件不清晰/被遮挡', '谢谢'];
}

export interface LoadResult extends LatencySummary {
  turns: number;
  seconds: number;
  turnsPerSecond: number;
}

/** Runs `conversations` conversations at once, each playing a script `rounds` times, and measures every turn. */
export async function load(url: string, conversations: number, rounds: number): Promise<LoadResult> {
  const durations: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: conversations }, async () => {
      const id = randomUUID();
      for (let r = 0; r < rounds; r++) {
        for (const text of script()) {
          const t0 = performance.now();
          await turn(url, id, text);
          durations.push(performance.now() - t0);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ...summarize(durations), turns: durations.length, seconds: Math.round(seconds * 100) / 100, turnsPerSecond: Math.round(durations.length / seconds) };
}
