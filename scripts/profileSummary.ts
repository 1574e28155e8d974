// Sums a V8 CPU profile (`npm run bench -- --cpu-prof DIR`, `node --cpu-prof`) by package and by function, self time:
//   npx tsx scripts/profileSummary.ts DIR/bot.cpuprofile [rows]
// Shares of a profile do not depend on how busy the machine was, unlike turns per second.
import * as fs from 'fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package a script belongs to: node_modules/<name>, the project's own folder under dist/, node's internals. */
function packageOf(url: string, functionName: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  const own = /\/dist\/([^/]+)/.exec(url);
  if (own) return `app:${own[1].replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) return url.split('/')[0];
  return url || functionName;
}

function main(file: string, rows: number): void {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const ms = (selfUs.get(node.id) ?? 0) / 1000;
    if (!ms) continue;
    total += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const pkg = packageOf(url, functionName);
    const fn = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  const show = (title: string, table: Map<string, number>) => {
    console.log(`${title} (self time; total ${Math.round(total)} ms)`);
    for (const [name, ms] of [...table].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
      console.log(`${((ms / total) * 100).toFixed(1).padStart(5)}% ${Math.round(ms).toString().padStart(7)} ms  ${name}`);
    }
  };
  show('by package', byPackage);
  show('by function', byFunction);
}

const [file, rows] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx scripts/profileSummary.ts FILE.cpuprofile [rows]');
  process.exitCode = 2;
} else {
  main(file, Number(rows) || 30);
}
