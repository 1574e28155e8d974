import * as fs from 'fs';
import * as OpenCC from 'opencc-js';
import YAML from 'yaml';
import { fromRoot } from '../config/paths';
import { messageLimits } from './limits';

// Hong Kong and Taiwan forms both appear in pasted prompts; 'hk' → 'cn' covers the characters of both.
export const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

export const VARIANTS_FILE = fromRoot('knowledge', 'lexicon', 'variants.yaml');

const VARIANTS: Record<string, string> = YAML.parse(fs.readFileSync(VARIANTS_FILE, 'utf8'));
const variantPattern = new RegExp(
  Object.keys(VARIANTS)
    .sort((a, b) => b.length - a.length)
    .map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|'),
  'g',
);

/** Longest text the bot reads (knowledge/limits.yaml); a longer message is told so (Reading.tooLong) and read no further. */
export const MAX_TEXT_LENGTH = messageLimits().messageMaxLength;

const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufffd]/g;
const PUNCTUATION = /[\p{P}\p{S}]+/gu;

/**
 * Canonical form of user text for matching: NFKC (full width → half width), traditional → simplified,
 * lower case, regional variants rewritten (knowledge/lexicon/variants.yaml), control characters dropped,
 * white space collapsed. Punctuation is kept: it is part of prompts.
 */
export function normalize(text: string): string {
  const cut = text.length > MAX_TEXT_LENGTH ? text.slice(0, MAX_TEXT_LENGTH) : text;
  return toSimplified(cut.normalize('NFKC').replace(CONTROL_CHARS, ' '))
    .toLowerCase()
    .replace(variantPattern, (v) => VARIANTS[v])
    .replace(/\s+/g, ' ')
    .trim();
}

/** Normalized text with punctuation and symbols turned into single spaces: the form prompts are compared in. */
export function stripPunctuation(normalized: string): string {
  return normalized.replace(PUNCTUATION, ' ').replace(/\s+/g, ' ').trim();
}
