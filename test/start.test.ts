/**
 * The program users run, started as the README says (`npm start`: build, then `node dist/index.js`), from this
 * checkout: it must listen, answer a Bot Framework message through a local connector, serve the widget page and the
 * Direct Line token route, and exit cleanly on SIGTERM. Everything else in the suite runs the sources; this runs the build.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import { PACKAGE_ROOT } from '../config/paths';
import { recorder } from './helpers/servers';
import { freePort, sleep } from './storage/redisTestSupport';

jest.setTimeout(120_000);

describe('npm start', () => {
  it('listens, answers a message through the connector, serves the widget, and stops on SIGTERM', async () => {
    const port = await freePort();
    const connector = await recorder();
    const child = spawn('npm', ['start'], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', REDIS_URL: '', MicrosoftAppId: '', OUTBOUND_PRIVATE_NETWORKS: '127.0.0.1', OUTBOUND_ALLOW_HTTP: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    let stopped: number | null | 'timeout' = null;
    try {
      const until = Date.now() + 90_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode} before listening:\n${stderr}`);
        if (Date.now() > until) throw new Error(`npm start did not listen within 90 s:\n${stderr}`);
        try {
          if ((await fetch(`${url}/health`)).ok) break;
        } catch {
          await sleep(250);
        }
      }

      const res = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          id: 'start-1',
          channelId: 'emulator',
          serviceUrl: connector.url,
          from: { id: 'newcomer' },
          recipient: { id: 'bot' },
          conversation: { id: 'start-check' },
          locale: 'zh-CN',
          text: '域名实名认证失败，提示不在实名库中',
        }),
      });
      expect(res.status).toBeLessThan(300);
      const [replyActivity] = (await connector.waitFor(1, 10_000)) as { text?: string; channelData?: { intent?: string } }[];
      expect(replyActivity?.channelData?.intent).toBe('domain.cert-new-or-not-in-db');

      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);

      const token = await fetch(`${url}/api/directline/token`, { method: 'POST' });
      expect(token.status).toBe(200);
      expect(typeof ((await token.json()) as { token?: unknown }).token).toBe('string');
    } finally {
      // SIGTERM to the bot itself, as a process manager stops it; npm then exits with the bot's exit code.
      // node, then the options npm start gives it (README), then the script.
      const bot = descendants(child.pid!).find((pid) => /(^|\/)node\0(?:--[^\0]+\0)*dist\/index\.js\0/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')));
      process.kill(bot ?? child.pid!, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 15_000)));
      const code = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      await connector.close();
      if (code === 'timeout') child.kill('SIGKILL');
      stopped = code;
    }
    expect(stopped).toBe(0);
  });
});

/** The pids of a process's descendants, from /proc (Linux). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const parent = Number(/^\d+ \(.*\) \S (\d+)/s.exec(fs.readFileSync(`/proc/${name}/stat`, 'utf8'))?.[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
    } catch {
      // the process ended while being read
    }
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length; ) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}
