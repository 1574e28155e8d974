import type { DayRow, Report } from './report';

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const percent = (v: number | null) => (v === null ? '–' : `${Math.round(v * 100)}%`);

/** Horizontal bars, one per row: label, bar, value. */
function barChart(title: string, rows: { label: string; value: number }[]): string {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const h = 22;
  const bars = rows
    .map((r, i) => {
      const w = Math.round((r.value / max) * 360);
      const y = 28 + i * h;
      return `<text x="0" y="${y + 14}" font-size="12">${esc(r.label.slice(0, 38))}</text><rect x="300" y="${y + 3}" width="${w}" height="14" fill="#4a7bd0"/><text x="${306 + w}" y="${y + 14}" font-size="12">${r.value}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg" width="720" height="${36 + rows.length * h}"><text x="0" y="16" font-size="14" font-weight="bold">${esc(title)}</text>${bars}</svg>`;
}

/** One column per day for a rate (0–1); days without a base show no column. */
function rateChart(title: string, days: DayRow[], pick: (d: DayRow) => number | null, color: string): string {
  const w = Math.max(24, Math.min(60, Math.floor(680 / Math.max(1, days.length))));
  const top = 24;
  const height = 120;
  const columns = days
    .map((d, i) => {
      const v = pick(d);
      const x = 30 + i * w;
      const bar = v === null ? '' : `<rect x="${x + 2}" y="${top + height - Math.round(v * height)}" width="${w - 4}" height="${Math.round(v * height)}" fill="${color}"><title>${esc(d.day)} ${percent(v)}</title></rect>`;
      return `${bar}<text x="${x + w / 2}" y="${top + height + 14}" font-size="10" text-anchor="middle">${esc(d.day.slice(5))}</text><text x="${x + w / 2}" y="${top + height - (v === null ? 0 : Math.round(v * height)) - 3}" font-size="10" text-anchor="middle">${percent(v)}</text>`;
    })
    .join('');
  const axis = `<line x1="28" y1="${top + height}" x2="${30 + days.length * w}" y2="${top + height}" stroke="#888"/><text x="0" y="${top + 8}" font-size="10">100%</text><text x="0" y="${top + height}" font-size="10">0%</text>`;
  return `<svg role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg" width="${Math.max(300, 40 + days.length * w)}" height="${top + height + 22}"><text x="0" y="16" font-size="14" font-weight="bold">${esc(title)}</text>${axis}${columns}</svg>`;
}

/** The report as one HTML page, charts drawn as inline SVG (no scripts, no external resources). */
export function reportPage(report: Report): string {
  const entries = report.answersPerEntry.slice(0, 30).map((e) => ({ label: `${e.entryId} ${e.title}`, value: e.answers }));
  const groups = report.unanswered
    .slice(0, 100)
    .map(
      (g) =>
        `<tr><td>${g.count}</td><td>${esc(Object.entries(g.kinds).map(([k, n]) => `${k} ${n}`).join(', '))}</td><td>${esc(g.lang)}</td><td>${g.examples.map(esc).join('<br>')}</td><td>${g.nearest ? `${esc(g.nearest.entryId)} (${g.nearest.score})` : '–'}</td></tr>`,
    )
    .join('');
  const t = report.totals;
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>实名认证助手 · 报告</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1000px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:13px}section{margin:24px 0}</style></head><body>
<h1>实名认证助手 · 报告 ${esc(report.from)} – ${esc(report.to)}</h1>
<p>回复 ${t.turns} · 回答 ${t.answer + t.lowConfidence}（低置信 ${t.lowConfidence}）· 超出范围 ${t.outOfScope} · 澄清 ${t.clarify} · 转人工 ${t.handoff} · 有帮助 ${t.helpful} / 没帮助 ${t.unhelpful}</p>
<section>${barChart('各条目回答数 · Answers per entry', entries)}</section>
<section>${rateChart('有帮助比例 · Helpful rate', report.byDay, (d) => d.helpfulRate, '#3a9a5b')}</section>
<section>${rateChart('转人工比例 · Hand-off rate', report.byDay, (d) => d.handoffRate, '#d08a2a')}</section>
<section>${rateChart('超出范围比例 · Out-of-scope rate', report.byDay, (d) => d.outOfScopeRate, '#c24a4a')}</section>
<section><h2>未能回答的消息 · Unanswered, grouped</h2><table><tr><th>次数</th><th>类型</th><th>语言</th><th>消息（已脱敏）</th><th>最接近的条目</th></tr>${groups}</table>
<p>候选说法导出：<code>?format=json</code> 的 <code>candidatePhrasings</code>，或 <code>npm run report -- --export</code>。</p></section>
</body></html>`;
}
