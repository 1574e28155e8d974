/**
 * Checks a typed certificate number and says, character by character, what is wrong with it.
 *
 * Written by hand: no maintained npm library checks GB 11643-1999 (resident identity card numbers) and
 * GB 32100-2015 (Unified Social Credit Codes) and also diagnoses look-alike characters, separators and
 * full-width input with their positions, which is what users need to fix a number.
 *
 * Privacy: the analysis never holds the number. It keeps a masked form, its length, its kind and problems whose
 * `found` is at most the single offending character. Nothing here logs.
 *
 * Positions are 1-based and count the characters of the number as printed on the certificate: spaces and
 * separators the user typed are not counted (a separator's position is that of the character after it).
 */

export type CertKind = 'idCard' | 'uscc' | 'unknown' | 'other';

export type CertProblemCode =
  | 'empty'
  | 'copyNumber'
  | 'separator'
  | 'fullWidth'
  | 'letterForDigit'
  | 'digitExpected'
  | 'lookAlike'
  | 'excludedLetter'
  | 'misplacedX'
  | 'invalidChar'
  | 'lowercaseX'
  | 'lowercase'
  | 'length'
  | 'checkChar'
  | 'birthDate'
  | 'typeMismatch';

export interface CertProblem {
  code: CertProblemCode;
  position?: number;
  /** The single offending character, never more. */
  found?: string;
  /** What belongs there: a character; for `length` the length needed; for `typeMismatch` the number's real kind. */
  expected?: string;
}

export interface CertNumberAnalysis {
  /** What the number is checked as: from the certificate type, else inferred from its shape. */
  kind: CertKind;
  /** The kind the chosen certificate type calls for, when a certificate type was given. */
  declaredKind?: CertKind;
  /** Whether the number was checked against a standard (resident identity card or USCC). */
  checked: boolean;
  /** Checked and nothing wrong. */
  ok: boolean;
  /** First 3 and last 2 characters, the rest as *; shorter numbers are masked further. */
  masked: string;
  /** Characters in the number, separators not counted. */
  length: number;
  problems: CertProblem[];
}

export interface AnalyzeOptions {
  /** yyyy-mm-dd; when given, a date of birth after it is not plausible. */
  today?: string;
}

export const CERT_NUMBER_LENGTH = 18;

// GB 11643-1999: weights 2^(18-i) mod 11 for positions 1..17; the check value maps through this table.
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

// GB 32100-2015: 31 characters (digits and capitals without I, O, Z, S, V), weights 3^(i-1) mod 31.
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const USCC_EXCLUDED: Record<string, string | undefined> = { I: '1', O: '0', Z: '2', S: '5', V: undefined };

/** Letters typed where a digit belongs, and the digit they are mistaken for. */
const LETTER_AS_DIGIT: Record<string, string> = {
  O: '0', o: '0', D: '0', Q: '0',
  I: '1', i: '1', l: '1',
  Z: '2', z: '2',
  S: '5', s: '5',
  G: '6',
  B: '8',
};

/** USCC characters that are mistaken for each other (both sides valid in a USCC), used only with the check character. */
const USCC_LOOK_ALIKES: [string, string][] = [
  ['8', 'B'],
  ['0', 'D'],
  ['0', 'Q'],
  ['6', 'G'],
];

/** Province-level codes that begin a resident identity card number (83: Taiwan residents' residence permits). */
const ID_PROVINCE_CODES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
]);

const SEPARATOR = /^[\s\-_.,;:'"`~|/\\·•‧、，。；：—–‐]$/u;
/** A duplicate-license suffix such as "(1-1)" at the end (doc 000: not to be filled in). */
const COPY_NUMBER_SUFFIX = /[(（]\s*[0-9０-９]+\s*[-－—–]\s*[0-9０-９]+\s*[)）]$/u;

const ID_TYPES = new Set(['idcard', 'residentidcard', 'identitycard', 'residentid', 'id', '身份证', '居民身份证']);
const USCC_TYPES = new Set(['uscccert', 'uscc', 'businesslicense', 'orgcodecert', '营业执照', '统一社会信用代码证书', '组织机构代码证']);

/** The kind of number a certificate type calls for; undefined when no type was given. */
export function kindOfCertType(certType: string | undefined): CertKind | undefined {
  if (typeof certType !== 'string' || !certType.trim()) return undefined;
  const key = certType.toLowerCase().replace(/[\s_\-]/g, '');
  if (ID_TYPES.has(key)) return 'idCard';
  if (USCC_TYPES.has(key)) return 'uscc';
  return 'other';
}

/** The GB 11643 check character of the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/** The GB 32100 check character of the first 17 characters (all in the USCC character set). */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]) * USCC_WEIGHTS[i];
  return USCC_CHARSET[(31 - (sum % 31)) % 31];
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isLatinLetter(c: string): boolean {
  return /^[A-Za-z]$/.test(c);
}

/** yyyymmdd is a real calendar date between 1890 and today (or 2099). */
export function plausibleBirthDate(yyyymmdd: string, today?: string): boolean {
  if (!/^\d{8}$/.test(yyyymmdd)) return false;
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1890 || y > 2099 || m < 1 || m > 12 || d < 1) return false;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > daysInMonth) return false;
  if (today && /^\d{4}-\d{2}-\d{2}$/.test(today) && yyyymmdd > today.replace(/-/g, '')) return false;
  return true;
}

function validId(s: string, today?: string): boolean {
  return /^\d{17}[\dX]$/.test(s) && idCheckChar(s) === s[17] && plausibleBirthDate(s.slice(6, 14), today);
}

function validUscc(s: string): boolean {
  return s.length === 18 && [...s].every((c) => USCC_CHARSET.includes(c)) && usccCheckChar(s) === s[17];
}

/** Digits (look-alike letters read as digits) and a final digit or X, beginning with a province code. */
function idShaped(chars: string[]): boolean {
  const last = chars.length - 1;
  const asDigits = chars.map((c, i) => (isDigit(c) ? c : i === last && (c === 'x' || c === 'X') ? 'X' : LETTER_AS_DIGIT[c] ?? c));
  return (
    chars.length >= 6 &&
    asDigits.slice(0, last).every(isDigit) &&
    /^[\dX]$/.test(asDigits[last]) &&
    ID_PROVINCE_CODES.has(Number(asDigits.slice(0, 2).join('')))
  );
}

/** Shaped like an identity card number, with a plausible date of birth at positions 7-14 when it is that long. */
function looksLikeIdCard(chars: string[], today?: string): boolean {
  if (!idShaped(chars) || chars.length < 14) return idShaped(chars);
  const date = chars.slice(6, 14).map((c) => (isDigit(c) ? c : LETTER_AS_DIGIT[c] ?? c)).join('');
  return plausibleBirthDate(date, today);
}

/**
 * Clearly a USCC although it fails its check: it does not begin with a province code (USCCs mostly begin 91, 92,
 * 93, 52 …), or it has at least two letters that no digit looks like. One stray letter in an identity card number is
 * a typo, not another kind of number.
 */
function usccNotIdCard(chars: string[], today?: string): boolean {
  if (inferKind(chars, today) !== 'uscc') return false;
  if (!ID_PROVINCE_CODES.has(Number(chars.slice(0, 2).join('')))) return true;
  const last = chars.length - 1;
  return chars.filter((c, i) => isLatinLetter(c) && !(i === last && /x/i.test(c)) && LETTER_AS_DIGIT[c] === undefined).length >= 2;
}

/**
 * The kind a number's shape suggests when no certificate type was given. A number that passes one standard's
 * check is that kind, except that an identity-card-shaped number with a plausible date of birth stays an identity
 * card even if it happens to pass the USCC check (1 in 31 mistyped numbers would).
 */
function inferKind(chars: string[], today?: string): 'idCard' | 'uscc' | 'unknown' {
  const upper = chars.join('').toUpperCase();
  if (upper.length === 18 && validId(upper, today)) return 'idCard';
  if (looksLikeIdCard(chars, today)) return 'idCard';
  if (upper.length === 18 && validUscc(upper)) return 'uscc';
  if (chars.length < 6) return 'unknown';
  const last = chars.length - 1;
  const allDigits = chars.every((c, i) => isDigit(c) || (i === last && /x/i.test(c)));
  const province = ID_PROVINCE_CODES.has(Number(chars.slice(0, 2).join('')));
  if (allDigits) return province ? 'idCard' : 'uscc';
  if (chars.some((c, i) => isLatinLetter(c) && !(i === last && /x/i.test(c)))) return 'uscc';
  return 'unknown';
}

function mask(chars: string[]): string {
  const n = chars.length;
  if (n >= 8) return chars.slice(0, 3).join('') + '*'.repeat(n - 5) + chars.slice(n - 2).join('');
  if (n >= 4) return chars[0] + '*'.repeat(n - 2) + chars[n - 1];
  return '*'.repeat(n);
}

/** Problems of a resident identity card number (GB 11643-1999); the repaired characters go into `candidate`. */
function checkIdCard(chars: string[], problems: CertProblem[], today?: string): void {
  const last = chars.length - 1;
  const candidate: string[] = [];
  chars.forEach((c, i) => {
    const position = i + 1;
    if (isDigit(c)) return void candidate.push(c);
    if (i === last && c === 'X') return void candidate.push(c);
    if (i === last && c === 'x') {
      problems.push({ code: 'lowercaseX', position, found: c, expected: 'X' });
      return void candidate.push('X');
    }
    if (c === 'X' || c === 'x') {
      problems.push({ code: 'misplacedX', position, found: c });
      return void candidate.push(c);
    }
    const digit = LETTER_AS_DIGIT[c];
    if (digit !== undefined) {
      problems.push({ code: 'letterForDigit', position, found: c, expected: digit });
      return void candidate.push(digit);
    }
    problems.push({ code: isLatinLetter(c) ? 'digitExpected' : 'invalidChar', position, found: c });
    candidate.push(c);
  });
  if (chars.length !== CERT_NUMBER_LENGTH) {
    problems.push({ code: 'length', expected: String(CERT_NUMBER_LENGTH) });
    return;
  }
  const repaired = candidate.join('');
  if (!/^\d{17}[\dX]$/.test(repaired)) return;
  if (!plausibleBirthDate(repaired.slice(6, 14), today)) problems.push({ code: 'birthDate', position: 7 });
  const expected = idCheckChar(repaired);
  if (expected !== repaired[17]) problems.push({ code: 'checkChar', position: 18, found: chars[17], expected });
}

/** Problems of a Unified Social Credit Code (GB 32100-2015). */
function checkUscc(chars: string[], problems: CertProblem[]): void {
  const candidate: string[] = [];
  chars.forEach((c, i) => {
    const position = i + 1;
    // Positions 2-8 are the registration type and the administrative division code: digits only.
    const digitOnly = i >= 1 && i <= 7;
    if (isDigit(c)) return void candidate.push(c);
    if (!isLatinLetter(c)) {
      problems.push({ code: 'invalidChar', position, found: c });
      return void candidate.push(c);
    }
    const upper = c.toUpperCase();
    if (digitOnly) {
      const digit = LETTER_AS_DIGIT[c] ?? LETTER_AS_DIGIT[upper];
      if (digit !== undefined) problems.push({ code: 'letterForDigit', position, found: c, expected: digit });
      else problems.push({ code: 'digitExpected', position, found: c });
      return void candidate.push(digit ?? upper);
    }
    if (upper in USCC_EXCLUDED) {
      const guess = USCC_EXCLUDED[upper];
      problems.push(guess === undefined ? { code: 'excludedLetter', position, found: c } : { code: 'excludedLetter', position, found: c, expected: guess });
      return void candidate.push(guess ?? upper);
    }
    if (c !== upper) problems.push({ code: 'lowercase', position, found: c, expected: upper });
    candidate.push(upper);
  });
  if (chars.length !== CERT_NUMBER_LENGTH) {
    problems.push({ code: 'length', expected: String(CERT_NUMBER_LENGTH) });
    return;
  }
  const repaired = candidate.join('');
  if (![...repaired].every((c) => USCC_CHARSET.includes(c))) return;
  const expected = usccCheckChar(repaired);
  if (expected === repaired[17]) return;
  // A single look-alike swap that makes the check character agree is the likely mistake (a digit typed where
  // a letter belongs, or the reverse); otherwise say which check character the first 17 call for.
  const fixes: CertProblem[] = [];
  for (let i = 0; i < 18; i++) {
    if (i >= 1 && i <= 7) continue;
    for (const pair of USCC_LOOK_ALIKES) {
      const at = pair.indexOf(repaired[i]);
      if (at < 0) continue;
      const swapped = repaired.slice(0, i) + pair[1 - at] + repaired.slice(i + 1);
      if (usccCheckChar(swapped) === swapped[17]) fixes.push({ code: 'lookAlike', position: i + 1, found: chars[i], expected: pair[1 - at] });
    }
  }
  if (fixes.length === 1) problems.push(fixes[0]);
  else problems.push({ code: 'checkChar', position: 18, found: chars[17], expected });
}

/** Checks what the user typed as a certificate number, for the certificate type they chose (or the number's shape). */
export function analyzeCertNumber(raw: string, certType?: string, options: AnalyzeOptions = {}): CertNumberAnalysis {
  const problems: CertProblem[] = [];
  let text = (raw ?? '').trim();
  if (COPY_NUMBER_SUFFIX.test(text)) {
    problems.push({ code: 'copyNumber' });
    text = text.replace(COPY_NUMBER_SUFFIX, '').trim();
  }

  // Half-width characters of the number, with separators dropped and full-width input reported.
  const chars: string[] = [];
  const scanProblems: CertProblem[] = [];
  for (const c of Array.from(text)) {
    const cp = c.codePointAt(0)!;
    const half = cp === 0x3000 ? ' ' : cp >= 0xff01 && cp <= 0xff5e ? String.fromCodePoint(cp - 0xfee0) : c;
    const position = chars.length + 1;
    if (SEPARATOR.test(half)) {
      const previous = scanProblems[scanProblems.length - 1];
      if (!(previous?.code === 'separator' && previous.position === position && previous.found === c)) scanProblems.push({ code: 'separator', position, found: c });
      continue;
    }
    if (half !== c) scanProblems.push({ code: 'fullWidth', position, found: c, expected: half });
    chars.push(half);
  }

  const declaredKind = kindOfCertType(certType);
  const base = { masked: mask(chars), length: chars.length, ...(declaredKind ? { declaredKind } : {}) };
  if (chars.length === 0) {
    return { kind: declaredKind ?? 'unknown', checked: false, ok: false, ...base, problems: [...problems, ...scanProblems, { code: 'empty' }] };
  }
  if (declaredKind === 'other') {
    const all = [...problems, ...scanProblems];
    return { kind: 'other', checked: false, ok: false, ...base, problems: all };
  }

  // A number of the other kind than the certificate type calls for: say so, and check it as what it is.
  const upper = chars.join('').toUpperCase();
  let mismatch: 'idCard' | 'uscc' | undefined;
  if (declaredKind === 'idCard' && !idShaped(chars) && (validUscc(upper) || usccNotIdCard(chars, options.today))) mismatch = 'uscc';
  if (declaredKind === 'uscc' && !validUscc(upper) && validId(upper, options.today)) mismatch = 'idCard';

  const kind = mismatch ?? declaredKind ?? inferKind(chars, options.today);
  const kindProblems: CertProblem[] = [];
  if (kind === 'idCard') checkIdCard(chars, kindProblems, options.today);
  else if (kind === 'uscc') checkUscc(chars, kindProblems);
  else {
    chars.forEach((c, i) => {
      if (!isDigit(c) && !isLatinLetter(c)) kindProblems.push({ code: 'invalidChar', position: i + 1, found: c });
    });
    if (chars.length !== CERT_NUMBER_LENGTH) kindProblems.push({ code: 'length', expected: String(CERT_NUMBER_LENGTH) });
  }
  const typeProblems: CertProblem[] = mismatch ? [{ code: 'typeMismatch', expected: mismatch }] : [];
  const all = [...typeProblems, ...problems, ...byPosition([...scanProblems, ...kindProblems])];
  const checked = kind === 'idCard' || kind === 'uscc';
  return { kind, checked, ok: checked && all.length === 0, ...base, problems: all };
}

/** Character problems in the order of the number; problems without a position keep their place after them. */
function byPosition(problems: CertProblem[]): CertProblem[] {
  const at = problems.filter((p) => p.position !== undefined && p.code !== 'checkChar' && p.code !== 'birthDate');
  const rest = problems.filter((p) => !at.includes(p));
  return [...at.sort((a, b) => a.position! - b.position!), ...rest];
}

// Letters and digits with single spaces or hyphens inside: the runs a certificate number can hide in.
const ALNUM_RUN = /[0-9A-Za-z０-９Ａ-Ｚａ-ｚ](?:[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]|[ \-－](?=[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]))*/g;

/**
 * Free text (a message kept on a hand-off case or in the traffic log) with every certificate-number-like part masked:
 * consecutive pieces with digits in them ("4401 0619 …"), 14 or more characters with at least 8 digits.
 */
export function maskCertNumbers(text: string): string {
  return text.replace(ALNUM_RUN, (run) => {
    const pieces = run.split(/(?<=[ \-－])/);
    let out = '';
    let group = '';
    const flush = () => {
      const compact = group.normalize('NFKC').replace(/[\s-]/g, '');
      const masked = compact.length >= 14 && compact.replace(/\D/g, '').length >= 8 ? analyzeCertNumber(group).masked + (/[ \-－]$/.test(group) ? group.slice(-1) : '') : group;
      out += masked;
      group = '';
    };
    for (const piece of pieces) {
      if (/[0-9０-９]/.test(piece)) group += piece;
      else {
        flush();
        out += piece;
      }
    }
    flush();
    return out;
  });
}
