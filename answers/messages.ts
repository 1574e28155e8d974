import * as fs from 'fs';
import YAML from 'yaml';
import type { Lang } from '../understanding/language';
import { fromRoot } from '../config/paths';

type Localized = Record<Lang, string>;

const MESSAGES: Record<string, Localized | string> = YAML.parse(
  fs.readFileSync(fromRoot('knowledge', 'messages', 'bot.yaml'), 'utf8'),
);

/** Fills {name} placeholders; a placeholder with no value is left as written so a gap is visible, never silent. */
export function fill(template: string, values: Record<string, unknown> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (values[name] === undefined ? whole : String(values[name])));
}

/** A bot message from knowledge/messages/bot.yaml in the user's language. */
export function message(key: string, lang: Lang, values?: Record<string, unknown>): string {
  const entry = MESSAGES[key];
  if (entry === undefined) throw new Error(`no bot message "${key}"`);
  return fill(typeof entry === 'string' ? entry : entry[lang], values).trim();
}
