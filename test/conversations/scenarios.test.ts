/*
 * Multi-turn conversation scenarios (every *.yaml here), each played in-process through BotHarness with a fixed clock.
 *
 * A scenario:
 *   id, locale (zh-CN | en-US | zh-TW, sent on every activity), lang (zh | en | zh-Hant, informative), why (the seed)
 *   welcome: true            send a conversationUpdate (membersAdded) first; welcomeExpect checks its replies
 *   turns: [..]              scripted user messages, sent verbatim in order; an item may be
 *                            { say: text, expect: {intent, slot, finalSlot, candidates, handoff, lang, contains, regex, ...} }
 *   answers: {slot: text | [text, text2, ...]}
 *                            after the scripted turns, while the bot's last reply names channelData.slot the player answers
 *                            from here (the n-th time a slot is asked it uses the n-th item, the last one repeating);
 *                            a slot with no answer is a failure ("asked unexpected slot")
 *   vars: {name: YYYY-MM-DD} dates for the expectations, already resolved for the file's `today`
 *   expect:
 *     intent                 channelData.intent of the final reply
 *     asked / notAsked       slots that must / must not be asked at any point
 *     maxAsks: {slot: n}     a slot may be asked at most n times (default 1 for every slot: a re-ask means the
 *                            answer was not understood); allowReask: [slot] lifts the default
 *     handoff                some reply of the final turn carries channelData.handoff true (or none, if false)
 *     actions                suggested actions (titles) the last reply must offer, e.g. the hand-off offer
 *     lang                   zh | en: the final turn's language
 *     finalSlot              the final reply must (string) / no reply of the final turn may (false) ask a slot
 *     contains / notContains substrings of the final turn's text (all its messages); placeholders:
 *                            {resubmit:VAR} = VAR + 10 calendar days, {date:VAR} = VAR itself, each as an alternation of
 *                            the ISO, Chinese and English spellings
 *     regex / notRegex       regular expressions (case-insensitive) on the final turn's text
 *     resubmit: VAR          the final answer names the resubmit date (VAR + 10 days) and no off-by-one date; if that date
 *                            is after today it must not say the user can resubmit now; if it is today or earlier it must
 *                            not tell the user to wait
 *     site: {verdict: china|international, region: regex, holder: regex?}
 *                            the tailored .cn registration verdict (see siteVerdict)
 *     legalRep: {required: bool, province: regex}
 *                            the tailored ICP principal verdict for the province (see legalRepVerdict)
 *     secret: [numbers]      no reply in the whole conversation may contain 6+ consecutive characters of these
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ActivityTypes } from 'botbuilder';
import * as OpenCC from 'opencc-js';
import { BotHarness, type ReplyView } from '../helpers/botHarness';

interface Checks {
  intent?: string;
  slot?: string;
  finalSlot?: string | false;
  candidates?: string[];
  handoff?: boolean;
  /** Suggested actions the last reply must offer (by title). */
  actions?: string[];
  lang?: 'zh' | 'en';
  contains?: string[];
  notContains?: string[];
  regex?: string[];
  notRegex?: string[];
  resubmit?: string;
  site?: { verdict: 'china' | 'international'; region: string; holder?: string };
  legalRep?: { required: boolean; province: string };
}

interface FinalChecks extends Checks {
  asked?: string[];
  notAsked?: string[];
  maxAsks?: Record<string, number>;
  allowReask?: string[];
  secret?: string[];
}

type TurnSpec = string | { say: string; expect?: Checks };

interface Scenario {
  id: string;
  lang?: string;
  locale?: string;
  why?: string;
  welcome?: boolean;
  welcomeExpect?: Checks;
  turns?: TurnSpec[];
  answers?: Record<string, string | string[]>;
  vars?: Record<string, string>;
  expect?: FinalChecks;
}

interface ScenarioFile {
  today: string;
  maxTurns?: number;
  scenarios: Scenario[];
}

// Every *.yaml here is a scenario file (scenarios.yaml: single failures; conversations.yaml: follow-ups, hedges,
// corrections, lost context …); they share one clock.
const files = readdirSync(__dirname)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => parse(readFileSync(join(__dirname, name), 'utf8')) as ScenarioFile);
const file: ScenarioFile = { today: String(files[0].today), maxTurns: files[0].maxTurns, scenarios: files.flatMap((f) => f.scenarios) };
const TODAY = String(file.today);
const MAX_TURNS = file.maxTurns ?? 14;

// ---------- dates ----------
const DAY = 86400000;
const ISO = /^\d{4}-\d{2}-\d{2}$/;
const toDay = (iso: string) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY;
const toIso = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);
const plusDays = (iso: string, n: number) => toIso(toDay(iso) + n);
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function dateAlternation(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  const alts = [
    iso,
    `${y}年${m}月${d}日`,
    `${y}年${String(m).padStart(2, '0')}月${String(d).padStart(2, '0')}日`,
    `${MONTHS[m - 1]} ${d}, ${y}`,
    `${d} ${MONTHS[m - 1]} ${y}`,
    `${MONTHS[m - 1].slice(0, 3)} ${d}, ${y}`,
    `${y}/${m}/${d}`,
  ];
  return `(?:${alts.map(escapeRe).join('|')})`;
}

function varDate(vars: Record<string, string>, name: string): string {
  const iso = vars[name];
  if (!iso) throw new Error(`unknown var ${name}`);
  return iso;
}

/** {resubmit:VAR} / {date:VAR} placeholders become date alternations; anything else is a literal, case-insensitive. */
function expandPlaceholders(s: string, vars: Record<string, string>): { re: RegExp; label: string } {
  const PH = /\{(resubmit|date):(\w+)\}/g;
  const dateOf = (kind: string, name: string) => (kind === 'resubmit' ? plusDays(varDate(vars, name), 10) : varDate(vars, name));
  const parts = s.split(PH); // literal, kind, name, literal, ...
  let re = '';
  for (let i = 0; i < parts.length; i += 3) {
    re += escapeRe(parts[i]);
    if (i + 2 < parts.length) re += dateAlternation(dateOf(parts[i + 1], parts[i + 2]));
  }
  return { re: new RegExp(re, 'i'), label: s.replace(PH, (_m, kind: string, name: string) => dateOf(kind, name)) };
}

// ---------- language ----------
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

function langOf(text: string): 'zh' | 'en' | undefined {
  const han = (text.match(/\p{Script=Han}/gu) ?? []).length;
  const latin = (text.replace(/https?:\/\/\S+/g, '').match(/[A-Za-z]+/g) ?? []).filter((w) => w.length > 1).length;
  if (!han && !latin) return undefined;
  // An English answer may quote 大鱼号 or .中国; a Chinese one quotes URLs and JPG/BMP.
  return han > latin * 0.5 ? 'zh' : 'en';
}

// ---------- verdicts ----------
const POS = /(支持|可以|均可|都可以|\bcan\b|\bsupports?\b|\bsupported\b)/i;
const NEG = /(未授权|不能|无法|不支持|\bnot\b|cannot|can't|\bno\b)/i;
const CHINA = /(中国站|China site|aliyun\.com)/i;
const INTL = /(国际站|international site|alibabacloud\.com)/i;
const REGIONS = [/香港|Hong Kong/i, /澳门|Macao|Macau/i, /台湾|Taiwan/i, /内地|mainland/i, /其他国家|other countries/i];

/**
 * The tailored .cn verdict (seed 000 tables): "china" = some prose line (not a list row starting with "-") names the
 * region (and holder), the China site and says it supports / can, with no negation; "international" = no such line, and
 * some prose line names the region and either negates the China site or points to the international site.
 */
function siteVerdict(text: string, spec: NonNullable<Checks['site']>): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('-'));
  const region = new RegExp(spec.region, 'i');
  const holder = spec.holder ? new RegExp(spec.holder, 'i') : undefined;
  const who = `${spec.region}${spec.holder ? '/' + spec.holder : ''}`;
  // A line naming three or more regions is the table's summary, not a verdict about this user.
  const about = lines.filter((l) => region.test(l) && (!holder || holder.test(l)) && REGIONS.filter((r) => r.test(l)).length < 3);
  const chinaOk = about.filter((l) => CHINA.test(l) && POS.test(l) && !NEG.test(l) && !/^(说明|Note)/.test(l));
  if (spec.verdict === 'china') return chinaOk.length ? undefined : `no line says the China site supports ${who}`;
  if (chinaOk.length) return `says the China site supports ${spec.region}: "${chinaOk[0].slice(0, 80)}"`;
  const intl = about.filter((l) => !/^(说明|Note)/.test(l) && ((CHINA.test(l) && NEG.test(l)) || INTL.test(l)));
  return intl.length ? undefined : `no tailored line sends ${who} to the international site`;
}

/** ICP (seed 002 Q9): required = a line names the province and says the legal representative is required, no negation. */
function legalRepVerdict(text: string, spec: NonNullable<Checks['legalRep']>): string | undefined {
  const lines = text.split('\n').map((l) => l.trim());
  const prov = new RegExp(spec.province, 'i');
  const rep = /(法定代表人|法人|legal representative)/i;
  const neg = /(不在|未要求|不要求|不需要|无需|not among|not required|does not require|doesn't require|is not)/i;
  const about = lines.filter((l) => prov.test(l) && rep.test(l));
  // The general answer lists all provinces in one line; a tailored verdict is a line that is not that list.
  const tailored = about.filter((l) => !/宁夏、西藏|Ningxia, Tibet/.test(l));
  if (!tailored.length) {
    const notInList = lines.some((l) => prov.test(l) && neg.test(l));
    if (!spec.required && notInList) return undefined;
    return `no tailored legal-representative line for ${spec.province}`;
  }
  const says = tailored.some((l) => !neg.test(l));
  const denies = tailored.some((l) => neg.test(l));
  if (spec.required && !says) return `${spec.province}: does not say the legal representative is required`;
  if (spec.required && denies) return `${spec.province}: says the legal representative is not required`;
  if (!spec.required && !denies) return `${spec.province}: says the legal representative is required (seed 002 does not list it)`;
  return undefined;
}

// ---------- checks on one turn's replies ----------
const handoffOf = (r: ReplyView) => (r.activity.channelData as { handoff?: boolean } | undefined)?.handoff === true;

function checkReplies(label: string, replies: ReplyView[], exp: Checks, vars: Record<string, string>, errors: string[]): void {
  const last = replies[replies.length - 1];
  if (!last) {
    errors.push(`${label}: no reply`);
    return;
  }
  // Facts are checked in simplified characters: replies to traditional Chinese are written in traditional.
  const text = toSimplified(replies.map((r) => r.text).join('\n'));
  if (exp.intent !== undefined && last.intent !== exp.intent) errors.push(`${label}: intent ${last.intent}, expected ${exp.intent}`);
  if (exp.slot !== undefined && last.slot !== exp.slot) errors.push(`${label}: slot ${last.slot ?? '-'}, expected ${exp.slot}`);
  if (exp.finalSlot === false && replies.some((r) => r.slot)) errors.push(`${label}: still asks ${replies.find((r) => r.slot)!.slot}`);
  if (typeof exp.finalSlot === 'string' && last.slot !== exp.finalSlot) errors.push(`${label}: slot ${last.slot ?? '-'}, expected ${exp.finalSlot}`);
  if (exp.candidates) {
    const got = replies.flatMap((r) => r.candidates ?? []);
    for (const c of exp.candidates) if (!got.includes(c)) errors.push(`${label}: candidates ${JSON.stringify(got)} lack ${c}`);
  }
  if (exp.handoff !== undefined && replies.some(handoffOf) !== exp.handoff) {
    errors.push(`${label}: handoff ${replies.some(handoffOf)}, expected ${exp.handoff}`);
  }
  for (const a of exp.actions ?? []) if (!last.actions.includes(a)) errors.push(`${label}: actions ${JSON.stringify(last.actions)} lack "${a}"`);
  if (exp.lang) {
    const got = langOf(text);
    if (got !== exp.lang) errors.push(`${label}: reply language ${got}, expected ${exp.lang}`);
  }
  for (const s of exp.contains ?? []) {
    const { re, label: l } = expandPlaceholders(String(s), vars);
    if (!re.test(text)) errors.push(`${label}: missing "${l}"`);
  }
  for (const s of exp.notContains ?? []) {
    const { re, label: l } = expandPlaceholders(String(s), vars);
    if (re.test(text)) errors.push(`${label}: must not contain "${l}"`);
  }
  for (const s of exp.regex ?? []) if (!new RegExp(s, 'i').test(text)) errors.push(`${label}: no match for /${s}/`);
  for (const s of exp.notRegex ?? []) if (new RegExp(s, 'i').test(text)) errors.push(`${label}: must not match /${s}/`);
  if (exp.resubmit) {
    const iso = varDate(vars, exp.resubmit);
    const due = plusDays(iso, 10);
    if (!new RegExp(dateAlternation(due)).test(text)) errors.push(`${label}: resubmit date ${due} (issue ${iso} + 10 days) not stated`);
    const withoutIssue = text.replace(new RegExp(dateAlternation(iso), 'g'), '');
    const wrong = [9, 11].map((k) => plusDays(iso, k)).filter((d) => d !== TODAY && new RegExp(dateAlternation(d)).test(withoutIssue));
    if (wrong.length) errors.push(`${label}: states an off-by-one date ${wrong.join(',')}`);
    if (due > TODAY && /(现在就可以|现在可以|can resubmit now|you can resubmit now)/i.test(text)) {
      errors.push(`${label}: says resubmit now but ${due} is after today ${TODAY}`);
    }
    if (due <= TODAY && /(还需等|more days\)|请在 \*\*)/i.test(text)) errors.push(`${label}: tells the user to wait although ${due} <= today ${TODAY}`);
  }
  if (exp.site) {
    const e = siteVerdict(text, exp.site);
    if (e) errors.push(`${label}: site verdict: ${e}`);
  }
  if (exp.legalRep) {
    const e = legalRepVerdict(text, exp.legalRep);
    if (e) errors.push(`${label}: ${e}`);
  }
}

// ---------- one scenario ----------
interface Turn {
  n: number;
  user: string;
  replies: ReplyView[];
}

async function play(sc: Scenario): Promise<{ errors: string[]; transcript: Turn[] }> {
  const vars = sc.vars ?? {};
  const locale = sc.locale ?? (sc.lang === 'en' ? 'en-US' : 'zh-CN');
  const bot = new BotHarness({ today: TODAY, locale });
  const transcript: Turn[] = [];
  const errors: string[] = [];
  const asks: Record<string, number> = {};
  const answered: Record<string, number> = {};
  let n = 0;

  async function turn(user: string, send: () => Promise<ReplyView[]>): Promise<ReplyView[]> {
    const replies = await send();
    transcript.push({ n: n++, user, replies });
    for (const r of replies) if (r.slot) asks[r.slot] = (asks[r.slot] ?? 0) + 1;
    return replies;
  }
  // TestAdapter does not copy its locale onto incoming activities: send it on each one, as a channel does.
  const say = (text: string) => turn(text, () => bot.say(text, { locale }));

  if (sc.welcome) {
    const replies = await turn('(conversationUpdate)', () =>
      bot.send({ type: ActivityTypes.ConversationUpdate, locale, membersAdded: [{ id: 'user1', name: 'user' }, { id: 'bot', name: 'bot' }] }),
    );
    if (sc.welcomeExpect) checkReplies('welcome', replies, sc.welcomeExpect, vars, errors);
  }
  let last: ReplyView[] = [];
  for (const [i, t] of (sc.turns ?? []).entries()) {
    const text = typeof t === 'string' ? t : t.say;
    last = await say(text);
    if (typeof t !== 'string' && t.expect) checkReplies(`turn ${i + 1}`, last, t.expect, vars, errors);
  }
  // answer every detail the bot asks for
  while (n < MAX_TURNS) {
    const slot = last.map((r) => r.slot).filter((s): s is string => !!s).pop();
    if (!slot) break;
    const ans = sc.answers?.[slot];
    if (ans === undefined) {
      errors.push(`asked unexpected slot "${slot}"`);
      break;
    }
    const list = Array.isArray(ans) ? ans : [ans];
    const k = answered[slot] ?? 0;
    answered[slot] = k + 1;
    last = await say(String(list[Math.min(k, list.length - 1)]));
  }
  if (n >= MAX_TURNS && last.some((r) => r.slot)) errors.push(`turn limit ${MAX_TURNS} reached, still asking ${last.find((r) => r.slot)!.slot}`);

  const exp = sc.expect ?? {};
  for (const s of exp.asked ?? []) if (!asks[s]) errors.push(`slot "${s}" was never asked`);
  for (const s of exp.notAsked ?? []) if (asks[s]) errors.push(`slot "${s}" was asked although the user had said it / it does not apply`);
  const allow = new Set(exp.allowReask ?? []);
  for (const [s, c] of Object.entries(asks)) {
    const max = exp.maxAsks?.[s] ?? (allow.has(s) ? Infinity : 1);
    if (c > max) errors.push(`slot "${s}" asked ${c} times (max ${max})`);
  }
  checkReplies('final', last, exp, vars, errors);
  for (const secret of exp.secret ?? []) {
    const norm = String(secret).toUpperCase().replace(/\s/g, '');
    for (const t of transcript)
      for (const r of t.replies) {
        const hay = r.text.toUpperCase().replace(/\s/g, '');
        for (let i = 0; i + 6 <= norm.length; i++)
          if (hay.includes(norm.slice(i, i + 6))) {
            errors.push(`turn ${t.n}: echoes part of the certificate number ("${norm.slice(i, i + 6)}")`);
            break;
          }
      }
  }
  return { errors: [...new Set(errors)], transcript };
}

function showTranscript(transcript: Turn[]): string {
  const out: string[] = [];
  for (const t of transcript) {
    out.push(`  [${t.n}] user: ${t.user}`);
    for (const r of t.replies) {
      const meta = [r.intent, r.slot && `slot=${r.slot}`, r.candidates && `cand=${r.candidates.join('|')}`, handoffOf(r) && 'handoff']
        .filter(Boolean)
        .join(' ');
      out.push(`      bot (${meta}): ${r.text.replace(/\n+/g, ' ⏎ ').slice(0, 400)}`);
    }
  }
  return out.join('\n');
}

// ---------- the suite ----------
describe('conversation scenarios (scenarios.yaml)', () => {
  it('has well-formed scenario data', () => {
    expect(TODAY).toMatch(ISO);
    for (const f of files) expect(String(f.today)).toBe(TODAY);
    const ids = file.scenarios.map((s) => s.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const sc of file.scenarios) {
      for (const [name, iso] of Object.entries(sc.vars ?? {})) {
        expect(`${sc.id} ${name} ${iso}`).toMatch(/ \d{4}-\d{2}-\d{2}$/);
        expect(iso <= TODAY).toBe(true); // an issue date is never in the future
      }
      const used = [...JSON.stringify(sc.expect ?? {}).matchAll(/\{(?:resubmit|date):(\w+)\}|"resubmit":"(\w+)"/g)].map((m) => m[1] ?? m[2]);
      for (const name of used) expect(Object.keys(sc.vars ?? {})).toContain(name);
    }
  });

  it.each(file.scenarios.map((sc) => [sc.id, sc] as const))('%s', async (_id, sc) => {
    const { errors, transcript } = await play(sc);
    // SCENARIO_TRANSCRIPTS=/path/file.txt appends every conversation there, passing or not.
    if (process.env.SCENARIO_TRANSCRIPTS) appendFileSync(process.env.SCENARIO_TRANSCRIPTS, `${errors.length ? 'FAIL' : 'PASS'} ${sc.id}\n${showTranscript(transcript)}\n`);
    if (errors.length) {
      throw new Error(`${errors.join('\n')}\n${sc.why ? `why: ${sc.why}\n` : ''}transcript (today ${TODAY}, ${sc.locale ?? ''}):\n${showTranscript(transcript)}`);
    }
  });
});
