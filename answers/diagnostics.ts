import type { Lang } from '../understanding/language';
import type { CertKind, CertNumberAnalysis, CertProblem } from './certNumber';
import { facts, type CertProblemTemplate, type UploadRule } from './facts';
import type { ImageProblem } from './imageCheck';
import { fill } from './messages';

/** Diagnostics as sentences in the user's language, worded by knowledge/messages/diagnostics.yaml. */

const KB = 1024;
const MB = 1024 * 1024;

/** How a single character is named in a sentence: a space, the letter "O", the digit "0". */
export function describeChar(char: string | undefined, lang: Lang): string {
  const { chars } = facts().diagnostics.certNumber;
  if (char === undefined) return '';
  if (/^\s$/u.test(char)) return chars.space[lang];
  if (/^[A-Za-z]$/.test(char)) return fill(chars.letter[lang], { char });
  if (/^[0-9]$/.test(char)) return fill(chars.digit[lang], { char });
  return fill(chars.other[lang], { char });
}

export function kindName(kind: CertKind | undefined, lang: Lang): string {
  return facts().diagnostics.certNumber.kinds[kind ?? 'unknown'][lang];
}

/** One problem of a certificate-number analysis as a sentence. */
export function renderCertProblem(problem: CertProblem, analysis: CertNumberAnalysis, lang: Lang): string {
  const templates = facts().diagnostics.certNumber.problems;
  const say = (key: CertProblemTemplate, values: Record<string, unknown> = {}) =>
    fill(templates[key][lang], {
      position: problem.position,
      found: problem.found,
      expected: problem.expected,
      foundDesc: describeChar(problem.found, lang),
      expectedDesc: describeChar(problem.expected, lang),
      kindName: kindName(analysis.kind, lang),
      ...values,
    });
  switch (problem.code) {
    case 'separator': {
      const position = problem.position ?? 1;
      if (position <= 1) return say('separatorStart');
      if (position > analysis.length) return say('separatorEnd');
      return say('separatorBetween', { before: position - 1 });
    }
    case 'excludedLetter':
      return say(problem.expected === undefined ? 'excludedLetterNoGuess' : 'excludedLetter');
    case 'length':
      return say('length', { given: analysis.length, needed: problem.expected });
    case 'typeMismatch':
      return say('typeMismatch', { kindName: kindName(problem.expected as CertKind, lang), declaredKindName: kindName(analysis.declaredKind, lang) });
    default:
      return say(problem.code);
  }
}

export function renderCertProblems(analysis: CertNumberAnalysis, lang: Lang): string[] {
  return analysis.problems.map((p) => renderCertProblem(p, analysis, lang));
}

/** How a detected format is written: JPG, PNG, WebP … */
export function formatName(format: string | undefined, lang: Lang): string {
  if (!format) return facts().diagnostics.image.unknownFormat[lang];
  return facts().uploadRules.formatNames[format] ?? format.toUpperCase();
}

function plainSize(bytes: number, lang: Lang): string {
  const trim = (n: number, digits: number) => String(Number(n.toFixed(digits)));
  if (bytes < KB) return fill(facts().diagnostics.image.bytes[lang], { n: bytes });
  if (bytes < MB) return `${trim(bytes / KB, 1)} KB`;
  return `${trim(bytes / MB, 2)} MB`;
}

/**
 * A size in bytes, KB or MB (1 KB = 1024 bytes). Next to a limit, a size that would round to the limit's own
 * figure also gets its exact byte count, so "1 MB" is never said of a file that is over 1 MB.
 */
export function formatSize(bytes: number, lang: Lang, limitBytes?: number): string {
  const size = plainSize(bytes, lang);
  if (limitBytes === undefined || bytes === limitBytes || size !== plainSize(limitBytes, lang)) return size;
  return fill(facts().diagnostics.image.sizeExact[lang], { size, n: bytes.toLocaleString('en-US') });
}

/** One image problem as a sentence; rule-dependent problems need the rule. */
export function renderImageProblem(problem: ImageProblem, rule: UploadRule | undefined, lang: Lang): string | undefined {
  const templates = facts().diagnostics.image.problems;
  const ruleValues = rule ? { ruleName: rule.name[lang], ruleFormats: rule.formatsText[lang], ruleSize: rule.sizeText[lang] } : {};
  switch (problem.code) {
    case 'unreadable':
      return fill(templates.unreadable[lang]);
    case 'notImage':
      return fill(templates.notImage[lang], { found: formatName(problem.found, lang) });
    case 'renamed':
      return fill(templates.renamed[lang], { found: problem.found, expected: formatName(problem.expected, lang) });
    case 'formatNotAllowed':
      return rule && fill(templates.formatNotAllowed[lang], { found: formatName(problem.found, lang), ...ruleValues });
    case 'tooSmall':
    case 'tooLarge':
      return (
        rule &&
        fill(templates[problem.code][lang], {
          size: formatSize(problem.bytes ?? 0, lang, problem.limitBytes),
          limit: formatSize(problem.limitBytes ?? 0, lang),
          ...ruleValues,
        })
      );
  }
}

export function renderImageProblems(problems: ImageProblem[], rule: UploadRule | undefined, lang: Lang): string[] {
  return problems.map((p) => renderImageProblem(p, rule, lang)).filter((s): s is string => s !== undefined);
}

/** Sentences as list lines, one per line. */
export function asList(lines: string[], lang: Lang): string {
  return lines.map((text) => fill(facts().diagnostics.list.item[lang], { text })).join('\n');
}
