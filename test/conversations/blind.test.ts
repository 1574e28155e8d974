/**
 * The blind conversation sets played over HTTP against an in-process app with a fixed clock. Reports only for now:
 * it runs when BLIND=1 (BLIND_SET=holdout plays test/conversations/blind-holdout instead) and fails only with
 * BLIND_GATE=1 — the integrator decides whether it gates. The schema check of both sets always runs.
 */
import { readdirSync } from 'fs';
import * as path from 'path';
import { fromRoot } from '../../config/paths';
import { listen } from '../helpers/servers';
import { loadConversations, playAll, report, type Conversation } from './blindPlayer';

const TODAY = '2026-11-22';

function files(set: string): string[] {
  const dir = fromRoot('test', 'conversations', set);
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir, f));
}

describe('blind conversation files', () => {
  it.each([
    ['blind', 60],
    ['blind-holdout', 30],
  ])('%s: valid against blind.schema.json, unique ids, at least %i conversations in zh, zh-Hant and en', (set, least) => {
    const conversations = loadConversations(files(set));
    expect(conversations.length).toBeGreaterThanOrEqual(least);
    expect(new Set(conversations.map((c) => c.lang))).toEqual(new Set(['zh', 'zh-Hant', 'en']));
    expect(new Set(conversations.map((c) => c.product))).toEqual(new Set(['domain', 'icp', 'dayu', 'shared']));
  });
});

const played = process.env.BLIND === '1' ? describe : describe.skip;

played('blind conversations over /api/messages', () => {
  const set = process.env.BLIND_SET === 'holdout' ? 'blind-holdout' : 'blind';
  let conversations: Conversation[];
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    conversations = loadConversations(files(set));
    // Imported here so that the default jest run, which skips this block, does not load the whole bot.
    const [{ createApp }, { readSettings }] = await Promise.all([import('../../index'), import('../../config/settings')]);
    server = await listen(createApp(readSettings({}), { today: () => TODAY }).app);
  });
  afterAll(() => server?.close());

  it(`plays every conversation of ${set}`, async () => {
    const results = await playAll(server.url, conversations, { today: TODAY });
    const text = report(results, conversations);
    console.log(text);
    if (process.env.BLIND_GATE === '1') expect(results.filter((r) => !r.passed).map((r) => r.id)).toEqual([]);
  }, 600_000);
});
