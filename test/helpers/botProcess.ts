import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PACKAGE_ROOT } from '../../config/paths';
import { sleep } from '../storage/redisTestSupport';

export const BUILT_BOT = path.join(PACKAGE_ROOT, 'dist', 'index.js');

export interface BotProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGTERM, as a process manager stops it; resolves with the exit code (SIGKILL after 15 s: 'killed'). */
  stop(): Promise<number | null | 'killed'>;
  /** The last 4 KB of its stderr and stdout, for failure messages. */
  output(): string;
}

/**
 * The built bot (`node dist/index.js`, what `npm start` runs) as its own process on `port`, with `env` over this
 * process's environment, once `/health` answers. `npm test` builds first; run alone, the test needs `npm run build`.
 */
export async function startBotProcess(port: number, env: Record<string, string>): Promise<BotProcess> {
  if (!fs.existsSync(BUILT_BOT)) throw new Error(`${BUILT_BOT} is missing: run npm run build first`);
  try {
    return await startOnce(port, env);
  } catch (err) {
    // In `npm test`, test/start.test.ts runs `npm start`, which rebuilds dist/ while other files run: a process that
    // read a file tsc was rewriting exits at once. One more start tells that apart from a bot that cannot start.
    if (!(err instanceof ExitedEarly)) throw err;
    await sleep(3000);
    return startOnce(port, env);
  }
}

class ExitedEarly extends Error {}

async function startOnce(port: number, env: Record<string, string>): Promise<BotProcess> {
  const child = spawn(process.execPath, [BUILT_BOT], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', MicrosoftAppId: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new ExitedEarly(`the bot exited with ${child.exitCode} before listening:\n${output}`);
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the bot did not listen within 60 s:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'killed'>((resolve) => (timer = setTimeout(() => resolve('killed'), 15_000)));
    const code = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (code === 'killed') {
      child.kill('SIGKILL');
      await exited;
    }
    return code;
  };
  return { url, port, child, stop, output: () => output };
}
