import * as OpenCC from 'opencc-js';
import type { Activity } from 'botbuilder';

// Knowledge and messages are written in simplified Chinese; a customer who writes traditional Chinese (or whose client
// says zh-TW / zh-HK / zh-Hant) reads the reply in traditional characters. OpenCC converts characters, not phrasing.
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });
const toTaiwan = OpenCC.Converter({ from: 'cn', to: 'tw' });
const toHongKong = OpenCC.Converter({ from: 'cn', to: 'hk' });
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
  const convert = script === 'hk' ? toHongKong : toTaiwan;
  if (activity.text) activity.text = convert(activity.text);
  // Titles only: a value posted back is read through the same traditional → simplified folding as typed text.
  for (const action of activity.suggestedActions?.actions ?? []) if (typeof action.title === 'string') action.title = convert(action.title);
}
