import type { Understanding } from '../understanding';
import { normalize, stripPunctuation } from '../understanding/normalize';
import { cutWords } from '../understanding/segmenter';
import { today } from '../config/clock';
import { UNANSWERED_KINDS, type TrafficEvent, type TrafficKind } from '../storage/trafficLog';

/** Replies that count as the bot's turns, the base of the hand-off and out-of-scope rates. */
const TURN_KINDS: ReadonlySet<TrafficKind> = new Set(['answer', 'lowConfidence', 'outOfScope', 'clarify', 'handoff']);
/** Two messages are in one group when this share of the smaller one's words and bigrams is in the other … */
const SAME_GROUP = 0.6;
/** … and they share at least this many (two one-word messages are not alike for one word). */
const MIN_SHARED = 3;
/** Most recent unanswered messages grouped: bounds the report's work whatever the traffic. */
const MAX_GROUPED = 5000;
const EXAMPLES_PER_GROUP = 5;

export interface DayRow {
  day: string;
  turns: number;
  answers: number;
  helpful: number;
  unhelpful: number;
  handoffs: number;
  outOfScope: number;
  helpfulRate: number | null;
  handoffRate: number | null;
  outOfScopeRate: number | null;
}

export interface EntryRow {
  entryId: string;
  title: string;
  answers: number;
  lowConfidence: number;
  helpful: number;
  unhelpful: number;
}

export interface UnansweredGroup {
  count: number;
  kinds: Partial<Record<TrafficKind, number>>;
  lang: 'zh' | 'en';
  /** The most frequent message of the group, then other distinct ones (masked). */
  examples: string[];
  nearest?: { entryId: string; title: string; score: number };
}

/** Candidate phrasings in the shape of an entry's `examples`, for the entry they are nearest to. */
export interface CandidatePhrasings {
  entryId: string | null;
  examples: { zh: string[]; en: string[] };
}

export interface Report {
  from: string;
  to: string;
  totals: Record<TrafficKind, number> & { turns: number };
  byDay: DayRow[];
  answersPerEntry: EntryRow[];
  unanswered: UnansweredGroup[];
  candidatePhrasings: CandidatePhrasings[];
}

const rate = (part: number, whole: number): number | null => (whole ? Math.round((part / whole) * 1000) / 1000 : null);

/** The knowledge owner's report over recorded traffic (events oldest first). */
export function buildReport(events: TrafficEvent[], understanding: Understanding, window: { from: number; to: number }): Report {
  const kinds: TrafficKind[] = ['answer', 'outOfScope', 'clarify', 'lowConfidence', 'helpful', 'unhelpful', 'handoff'];
  const totals = Object.fromEntries([...kinds.map((k) => [k, 0]), ['turns', 0]]) as Report['totals'];
  const days = new Map<string, DayRow>();
  const entries = new Map<string, EntryRow>();
  const titleOf = (id: string) => understanding.kb.byId.get(id)?.title.zh ?? id;
  for (const e of events) {
    totals[e.kind] += 1;
    const day = today(new Date(e.at));
    const row = days.get(day) ?? { day, turns: 0, answers: 0, helpful: 0, unhelpful: 0, handoffs: 0, outOfScope: 0, helpfulRate: null, handoffRate: null, outOfScopeRate: null };
    days.set(day, row);
    if (TURN_KINDS.has(e.kind)) {
      row.turns += 1;
      totals.turns += 1;
    }
    if (e.kind === 'answer' || e.kind === 'lowConfidence') row.answers += 1;
    if (e.kind === 'helpful') row.helpful += 1;
    if (e.kind === 'unhelpful') row.unhelpful += 1;
    if (e.kind === 'handoff') row.handoffs += 1;
    if (e.kind === 'outOfScope') row.outOfScope += 1;
    if (e.entryId && understanding.kb.byId.has(e.entryId) && ['answer', 'lowConfidence', 'helpful', 'unhelpful'].includes(e.kind)) {
      const entry = entries.get(e.entryId) ?? { entryId: e.entryId, title: titleOf(e.entryId), answers: 0, lowConfidence: 0, helpful: 0, unhelpful: 0 };
      entries.set(e.entryId, entry);
      if (e.kind === 'answer') entry.answers += 1;
      else if (e.kind === 'lowConfidence') {
        entry.answers += 1;
        entry.lowConfidence += 1;
      } else entry[e.kind as 'helpful' | 'unhelpful'] += 1;
    }
  }
  for (const row of days.values()) {
    row.helpfulRate = rate(row.helpful, row.helpful + row.unhelpful);
    row.handoffRate = rate(row.handoffs, row.turns);
    row.outOfScopeRate = rate(row.outOfScope, row.turns);
  }
  // An unhelpful mark carries no text: it is the text of the answer it marks (by ref).
  const answered = new Map(events.filter((e) => e.ref && e.text && e.kind !== 'unhelpful').map((e) => [e.ref!, e.text!]));
  const marked = events.map((e) => (e.kind === 'unhelpful' && !e.text && e.ref ? { ...e, text: answered.get(e.ref) } : e));
  const unanswered = groupUnanswered(marked.filter((e) => UNANSWERED_KINDS.has(e.kind) && e.text).slice(-MAX_GROUPED), understanding);
  return {
    from: today(new Date(window.from)),
    to: today(new Date(window.to)),
    totals,
    byDay: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
    answersPerEntry: [...entries.values()].sort((a, b) => b.answers - a.answers || a.entryId.localeCompare(b.entryId)),
    unanswered,
    candidatePhrasings: phrasingsOf(unanswered),
  };
}

/** What a message is compared by: its jieba words and its character bigrams, after the classifier's normalization. */
function signature(text: string): Set<string> {
  const plain = stripPunctuation(normalize(text)).replace(/\*+/g, ' ');
  const words = cutWords(plain).map((w) => w.trim()).filter(Boolean);
  const compact = plain.replace(/\s+/g, '');
  const bigrams = Array.from({ length: Math.max(0, compact.length - 1) }, (_, i) => compact.slice(i, i + 2));
  return new Set([...words, ...bigrams]);
}

/** The overlap coefficient: users say the same thing with more or fewer words around it, so the smaller set counts. */
function alike(a: Set<string>, b: Set<string>): boolean {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared += 1;
  return shared >= MIN_SHARED && shared / Math.min(a.size, b.size) >= SAME_GROUP;
}

/**
 * Groups unanswered messages by similarity. Deliberately simple and explainable: identical messages (after
 * normalization) are counted together; then, most frequent first, each message joins the first group whose first
 * message shares at least 60% of the smaller one's jieba words and character bigrams (and at least 3 of them), else
 * starts a group. The nearest
 * entry is the classifier's best answerable candidate for the group's first message.
 */
export function groupUnanswered(events: TrafficEvent[], understanding: Understanding): UnansweredGroup[] {
  const distinct = new Map<string, { text: string; lang: 'zh' | 'en'; count: number; kinds: Partial<Record<TrafficKind, number>> }>();
  for (const e of events) {
    const key = stripPunctuation(normalize(e.text!));
    if (!key) continue;
    const item = distinct.get(key) ?? { text: e.text!, lang: e.lang, count: 0, kinds: {} };
    item.count += 1;
    item.kinds[e.kind] = (item.kinds[e.kind] ?? 0) + 1;
    distinct.set(key, item);
  }
  const groups: (UnansweredGroup & { signature: Set<string> })[] = [];
  for (const item of [...distinct.values()].sort((a, b) => b.count - a.count)) {
    const sig = signature(item.text);
    const group = groups.find((g) => alike(g.signature, sig));
    if (group) {
      group.count += item.count;
      for (const [k, n] of Object.entries(item.kinds)) group.kinds[k as TrafficKind] = (group.kinds[k as TrafficKind] ?? 0) + n;
      if (group.examples.length < EXAMPLES_PER_GROUP) group.examples.push(item.text);
    } else {
      groups.push({ count: item.count, kinds: { ...item.kinds }, lang: item.lang, examples: [item.text], signature: sig });
    }
  }
  const { kb, classifier } = understanding;
  return groups
    .sort((a, b) => b.count - a.count)
    .map(({ signature: _signature, ...group }) => {
      const best = classifier.classify(group.examples[0]).candidates.find((c) => ['failure', 'question'].includes(kb.byId.get(c.id)?.kind ?? ''));
      return best ? { ...group, nearest: { entryId: best.id, title: kb.byId.get(best.id)!.title[group.lang], score: Math.round(best.score * 1000) / 1000 } } : group;
    });
}

/** The groups' messages as candidate `examples`, by nearest entry (null: no entry is near; maybe a new one). */
function phrasingsOf(groups: UnansweredGroup[]): CandidatePhrasings[] {
  const byEntry = new Map<string | null, CandidatePhrasings>();
  for (const g of groups) {
    const id = g.nearest?.entryId ?? null;
    const item = byEntry.get(id) ?? { entryId: id, examples: { zh: [], en: [] } };
    byEntry.set(id, item);
    for (const text of g.examples) if (!item.examples[g.lang].includes(text)) item.examples[g.lang].push(text);
  }
  return [...byEntry.values()];
}
