/**
 * Plays the blind conversations over HTTP and prints pass/fail per conversation and `N passed, M failed`.
 *
 *   npx tsx scripts/play-blind.ts [--url http://127.0.0.1:PORT] [--today yyyy-mm-dd] [--verbose] [files…]
 *
 * Without --url it builds the bot (npm run build) and runs `node dist/index.js` on a free port, in-memory state.
 * Without files it plays test/conversations/blind/*.yaml. --today only tells the player which day the bot takes as
 * today (default: today in Asia/Shanghai, the bot's own clock); it does not change the bot's clock.
 * --verbose prints every exchange, also of the conversations that passed. Exit code 1 when a conversation failed.
 */
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import { readdirSync } from 'fs';
import * as net from 'net';
import * as path from 'path';
import { fromRoot, PACKAGE_ROOT } from '../config/paths';
import { loadConversations, playAll, report } from '../test/conversations/blindPlayer';

interface Args {
  url?: string;
  today?: string;
  verbose: boolean;
  files: string[];
}

function parseArgs(argv: string[]): Args {
  const out: Args = { verbose: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--url') out.url = argv[++i];
    else if (arg === '--today') out.today = argv[++i];
    else if (arg === '--verbose') out.verbose = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else out.files.push(path.resolve(arg));
  }
  if (out.url !== undefined && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(out.url)) throw new Error('--url must be http://127.0.0.1:PORT');
  if (out.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(out.today)) throw new Error('--today must be yyyy-mm-dd');
  return out;
}

function defaultFiles(): string[] {
  const dir = fromRoot('test', 'conversations', 'blind');
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir, f));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startBot(): Promise<{ url: string; child: ChildProcess }> {
  execFileSync('npm', ['run', 'build'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' };
  delete env.REDIS_URL;
  delete env.MicrosoftAppId;
  const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'dist', 'index.js')], { cwd: PACKAGE_ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error('the bot did not start');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, child };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const conversations = loadConversations(args.files.length ? args.files : defaultFiles());
  const started = args.url ? undefined : await startBot();
  const url = args.url ?? started!.url;
  try {
    const results = await playAll(url, conversations, { today: args.today });
    console.log(report(results, conversations, args.verbose));
    process.exitCode = results.every((r) => r.passed) ? 0 : 1;
  } finally {
    started?.child.kill('SIGTERM');
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(2);
});
