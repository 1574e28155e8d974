/**
 * npm run report [-- --days N] [--export]: the /admin/report numbers in the terminal, from the same storage as the
 * bot (REDIS_URL, REDIS_KEY_PREFIX; without REDIS_URL there is no shared traffic to read). --export prints the
 * unanswered groups as candidate `examples`, by nearest entry, as YAML.
 */
import YAML from 'yaml';
import { readSettings } from '../config/settings';
import { createStorage } from '../storage/createStorage';
import { RedisTrafficLog } from '../storage/trafficLog';
import { loadUnderstanding } from '../understanding';
import { buildReport } from '../admin/report';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const days = Number(args[args.indexOf('--days') + 1]) || 30;
  const store = createStorage(process.env);
  if (!store.redis) throw new Error('set REDIS_URL: the report reads the traffic the bot processes recorded there');
  try {
    const to = Date.now();
    const from = to - days * 24 * 60 * 60 * 1000;
    const traffic = new RedisTrafficLog(store.redis, store.config.keyPrefix, readSettings().trafficTtlSeconds);
    const report = buildReport(await traffic.since(from), loadUnderstanding(), { from, to });
    if (args.includes('--export')) {
      process.stdout.write(YAML.stringify(report.candidatePhrasings));
      return;
    }
    const pct = (v: number | null) => (v === null ? '-' : `${Math.round(v * 100)}%`);
    console.log(`report ${report.from} – ${report.to}`, report.totals);
    console.table(report.byDay.map((d) => ({ day: d.day, turns: d.turns, answers: d.answers, helpful: pct(d.helpfulRate), handoff: pct(d.handoffRate), outOfScope: pct(d.outOfScopeRate) })));
    console.table(report.answersPerEntry.map((e) => ({ entry: e.entryId, answers: e.answers, lowConfidence: e.lowConfidence, helpful: e.helpful, unhelpful: e.unhelpful })));
    console.table(report.unanswered.slice(0, 50).map((g) => ({ count: g.count, kinds: Object.keys(g.kinds).join(','), nearest: g.nearest?.entryId ?? '-', example: g.examples[0] })));
  } finally {
    await store.close();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
