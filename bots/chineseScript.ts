import * as OpenCC from 'opencc-js';
import type { Activity } from 'botbuilder';
import { toSimplified } from '../understanding/normalize';

// Knowledge and messages are written in simplified Chinese; a customer who writes traditional Chinese (or whose client
// says zh-TW / zh-HK / zh-Hant) reads the reply in traditional characters. OpenCC converts characters, not phrasing.
// Each simplified → traditional converter holds ~75 MB of dictionaries: built on the first reply that needs it.
const converters: Partial<Record<Script, (text: string) => string>> = {};
const converterFor = (script: Script) => (converters[script] ??= OpenCC.Converter({ from: 'cn', to: script }));
const HAN = /\p{Script=Han}/u;

type Script = 'tw' | 'hk';

/** The traditional script a message asks replies in, or undefined for simplified (or no Chinese at all). */
export function traditionalScriptOf(incoming: Partial<Activity>): Script | undefined {
  const locale = (incoming.locale ?? '').toLowerCase();
  if (/^zh-(hk|mo)\b/.test(locale)) return 'hk';
  if (/^zh-(tw|hant)\b/.test(locale)) return 'tw';
  const text = typeof incoming.text === 'string' ? incoming.text : '';
  if (!HAN.test(text)) return undefined;
  // Characters that change when simplified: the message is written in traditional Chinese.
  const simplified = toSimplified(text);
  let changed = 0;
  for (let i = 0; i < text.length && i < simplified.length; i++) if (text[i] !== simplified[i]) changed++;
  return changed > 0 ? 'tw' : undefined;
}

/** A reply's text and suggested action titles in the script asked for. */
export function renderScript(activity: Partial<Activity>, script: Script): void {
  const convert = converterFor(script);
  if (activity.text) activity.text = convert(activity.text);
  // Titles only: a value posted back is read through the same traditional → simplified folding as typed text.
  for (const action of activity.suggestedActions?.actions ?? []) if (typeof action.title === 'string') action.title = convert(action.title);
}
