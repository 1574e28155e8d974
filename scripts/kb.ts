// Knowledge-base command line: npm run kb -- validate | classify "text" | eval FILE.tsv | export
import { loadKnowledgeBase, KnowledgeError } from '../kb/knowledgeBase';
import { evaluate, readLabelled } from '../kb/evaluate';
import { loadUnderstanding } from '../understanding';

const USAGE = 'usage: npm run kb -- validate | classify "text" | eval FILE.tsv | export';

function percent(correct: number, total: number): string {
  return total ? `${((100 * correct) / total).toFixed(1)}%` : '-';
}

function main(argv: string[]): number {
  const [command, ...args] = argv;
  switch (command) {
    case 'validate': {
      const kb = loadKnowledgeBase(undefined, { cached: false });
      const phrases = kb.entries.reduce((n, e) => n + (e.examples.zh?.length ?? 0) + (e.examples.en?.length ?? 0), 0);
      console.log(`ok: ${kb.entries.length} entries, ${phrases} example phrasings`);
      return 0;
    }
    case 'classify': {
      if (!args.length) break;
      console.log(JSON.stringify(loadUnderstanding().classifier.classify(args.join(' ')), null, 2));
      return 0;
    }
    case 'eval': {
      if (!args[0]) break;
      const report = evaluate(loadUnderstanding().classifier, readLabelled(args[0]));
      for (const m of report.misses) console.log(`MISS expected=${m.expected} got=${m.got} score=${m.score}\t${m.text}`);
      for (const [group, g] of Object.entries(report.byGroup).sort()) console.log(`${group}\t${g.correct}/${g.total}\t${percent(g.correct, g.total)}`);
      console.log(`overall\t${report.correct}/${report.total}\t${percent(report.correct, report.total)}`);
      return 0;
    }
    case 'export': {
      for (const phrase of loadUnderstanding().classifier.trainingPhrases()) console.log(JSON.stringify(phrase));
      return 0;
    }
  }
  console.error(USAGE);
  return 2;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof KnowledgeError ? err.message : err);
  process.exitCode = 1;
}
