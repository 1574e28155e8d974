import type { Lang } from '../understanding/language';
import type { CertNumberAnalysis } from './certNumber';
import { asList, formatName, formatSize, kindName, renderCertProblems, renderImageProblems } from './diagnostics';
import { facts, HOLDER_TYPES, REGIONS, SITES, type HolderType, type Region, type Site, type UploadContext } from './facts';
import { applyRule, type ImageAnalysis } from './imageCheck';

/**
 * Named calculators: pure functions from the details a user gave to the facts a tailored answer needs
 * (knowledge entries list them under `compute`; cases test the facts in `when` and print them as {placeholders}).
 * A calculator whose inputs are missing returns {} or only the facts it can decide.
 */

export const CALCULATOR_NAMES = ['resubmit', 'cnRegistration', 'uploadRule', 'imageCheck', 'legalRep', 'certNumber', 'holderName', 'occupation'] as const;
export type CalculatorName = (typeof CALCULATOR_NAMES)[number];

export interface CalculatorContext {
  lang: Lang;
  /** yyyy-mm-dd, Asia/Shanghai. */
  today: string;
  /** Known details by slot name; a certificate number only as its CertNumberAnalysis, an image as its ImageAnalysis. */
  slots: Record<string, unknown>;
  /** The entry's product: domain, icp, dayu or general. */
  product: string;
}

export type FactValue = string | number | boolean;
export type Facts = Record<string, FactValue>;
export type Calculator = (ctx: CalculatorContext) => Facts;

/** Days new certificates need before the verification authority has them (doc 000: 10 calendar days). */
export const SYNC_DAYS = 10;
const DAY_MS = 24 * 60 * 60 * 1000;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Days since 1970-01-01 of an ISO date, or undefined if it is not a real yyyy-mm-dd date. Calendar days only: no time zone. */
export function isoToDay(iso: unknown): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms / DAY_MS;
}

export function dayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** zh: 2026年11月25日（2026-11-25）; en: November 25, 2026 (2026-11-25). */
export function formatDate(iso: string, lang: Lang): string {
  const [y, m, d] = iso.split('-').map(Number);
  return lang === 'zh' ? `${y}年${m}月${d}日（${iso}）` : `${MONTHS[m - 1]} ${d}, ${y} (${iso})`;
}

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

const resubmit: Calculator = ({ lang, today, slots }): Facts => {
  const issue = isoToDay(slots.issueDate);
  if (issue === undefined) return {};
  const issueIso = dayToIso(issue);
  const resubmitIso = dayToIso(issue + SYNC_DAYS);
  const out: Facts = {
    issueDate: formatDate(issueIso, lang),
    issueDateIso: issueIso,
    resubmitDate: formatDate(resubmitIso, lang),
    resubmitDateIso: resubmitIso,
  };
  const now = isoToDay(today);
  if (now !== undefined) {
    out.resubmitPassed = now >= issue + SYNC_DAYS;
    out.daysLeft = Math.max(0, issue + SYNC_DAYS - now);
  }
  return out;
};

const cnRegistration: Calculator = ({ lang, slots }): Facts => {
  const { supported, sites, regions, holderTypes } = facts().cnRegistration;
  const site = oneOf<Site>(SITES, slots.site);
  const region = oneOf<Region>(REGIONS, slots.region);
  const holder = oneOf<HolderType>(HOLDER_TYPES, slots.holderType);
  const out: Facts = {};
  if (site) out.siteName = sites[site][lang];
  if (region) out.regionName = regions[region][lang];
  if (holder) out.holderTypeName = holderTypes[holder][lang];
  // On the international site every region and holder type can register: the China-site verdicts don't apply.
  if (site !== 'international' && region) {
    const row = supported.china[region];
    if (holder) out.chinaSiteSupported = row[holder];
    else if (row.individual === row.organization) out.chinaSiteSupported = row.individual;
  }
  return out;
};

/** Where the user uploads: the ICP app for ICP filing, else the domain site they use; dayu has no upload rule. */
function uploadContext({ product, slots }: CalculatorContext): UploadContext | undefined {
  const effective = product === 'general' && typeof slots.product === 'string' ? slots.product : product;
  if (effective === 'icp') return 'icp';
  if (effective === 'dayu') return undefined;
  return oneOf<Site>(SITES, slots.site);
}

const uploadRule: Calculator = (ctx): Facts => {
  const context = uploadContext(ctx);
  if (!context) return {};
  const rule = facts().uploadRules.rules[context];
  return { uploadRule: context, ruleName: rule.name[ctx.lang], ruleFormats: rule.formatsText[ctx.lang], ruleSize: rule.sizeText[ctx.lang] };
};

function isImageAnalysis(value: unknown): value is ImageAnalysis {
  const v = value as ImageAnalysis | null;
  return typeof v === 'object' && v !== null && typeof v.readable === 'boolean' && typeof v.bytes === 'number' && Array.isArray(v.problems);
}

const imageCheck: Calculator = (ctx): Facts => {
  const image = ctx.slots.image;
  if (!isImageAnalysis(image)) return {};
  const context = uploadContext(ctx);
  const rule = context ? facts().uploadRules.rules[context] : undefined;
  // Without a rule only what is wrong anywhere can be said; the image is then never called fine.
  const judged = context ? applyRule(image, context) : { ...image, problems: image.problems.filter((p) => ['unreadable', 'notImage', 'renamed'].includes(p.code)) };
  const lines = renderImageProblems(judged.problems, rule, ctx.lang);
  const out: Facts = {
    imageChecked: true,
    imageFormat: formatName(image.readable ? image.format : undefined, ctx.lang),
    imageSize: formatSize(image.bytes, ctx.lang),
    imageRenamed: judged.problems.some((p) => p.code === 'renamed'),
    imageProblemCount: lines.length,
    imageProblems: asList(lines, ctx.lang),
  };
  if (context) out.imageOk = judged.problems.length === 0;
  else if (judged.problems.length) out.imageOk = false;
  return out;
};

const legalRep: Calculator = ({ lang, slots }): Facts => {
  const { legalRepRequired, provinces } = facts().legalRep;
  const value = typeof slots.province === 'string' ? slots.province.trim() : undefined;
  if (!value) return {};
  const key = provinces[value.toLowerCase()] ? value.toLowerCase() : Object.keys(provinces).find((k) => provinces[k].zh === value);
  if (!key) return {};
  return { legalRepRequired: legalRepRequired.includes(key), provinceName: provinces[key][lang] };
};

function isCertAnalysis(value: unknown): value is CertNumberAnalysis {
  const v = value as CertNumberAnalysis | null;
  return typeof v === 'object' && v !== null && typeof v.masked === 'string' && typeof v.length === 'number' && typeof v.kind === 'string' && Array.isArray(v.problems);
}

const certNumber: Calculator = ({ lang, slots }): Facts => {
  // Only an analysis is ever used: a raw number in the slots is ignored, never echoed.
  const analysis = slots.certNumber;
  if (!isCertAnalysis(analysis)) return {};
  const lines = renderCertProblems(analysis, lang);
  const out: Facts = {
    certNumberChecked: analysis.checked,
    certNumberMasked: analysis.masked,
    certNumberKind: analysis.kind,
    certNumberKindName: kindName(analysis.kind, lang),
    certNumberProblemCount: lines.length,
    certNumberProblems: asList(lines, lang),
  };
  if (analysis.checked) out.certNumberOk = analysis.ok;
  else if (analysis.problems.length) out.certNumberOk = false;
  return out;
};

/** Marks the English holder-name field must not contain (doc 000: the dot separator and title marks). */
const NAME_MARKS = /[·•‧・･《》]/u;

/** The name without · • ‧ 《 》: between two Latin words a mark becomes a space, elsewhere it goes with the spaces around it. */
export function withoutNameMarks(name: string): string {
  return name
    .replace(/\s*[·•‧・･《》]+\s*/gu, (_mark, offset: number, whole: string) => {
      const before = whole.slice(0, offset).slice(-1);
      const after = whole.slice(offset + _mark.length, offset + _mark.length + 1);
      return /[A-Za-z0-9]/.test(before) && /[A-Za-z0-9]/.test(after) ? ' ' : '';
    })
    .replace(/\s+/g, ' ')
    .trim();
}

const holderName: Calculator = ({ slots }): Facts => {
  const name = slots.holderName;
  if (typeof name !== 'string' || !name.trim()) return {};
  return { nameZh: name, nameEn: withoutNameMarks(name), hasSpecialMarks: NAME_MARKS.test(name) };
};

/** Occupations whose holders cannot be verified with the 18-digit identity card number (doc 000: 军人、僧人). */
const SPECIAL_OCCUPATIONS = new Set(['military', 'monk']);

const occupation: Calculator = ({ slots }): Facts => {
  if (typeof slots.occupation !== 'string' || !slots.occupation) return {};
  return { specialOccupation: SPECIAL_OCCUPATIONS.has(slots.occupation) };
};

const registry: Record<CalculatorName, Calculator> = { resubmit, cnRegistration, uploadRule, imageCheck, legalRep, certNumber, holderName, occupation };

/** The calculators by the names entries use in `compute`. */
export const calculators: Readonly<Record<string, Calculator>> = registry;
