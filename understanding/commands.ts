import * as fs from 'fs';
import YAML from 'yaml';
import { normalize, stripPunctuation } from './normalize';
import { fromRoot } from '../config/paths';

export type Command = 'cancel' | 'restart' | 'help' | 'explain';

const COMMANDS: Record<Command, string[]> = YAML.parse(
  fs.readFileSync(fromRoot('knowledge', 'messages', 'commands.yaml'), 'utf8'),
);
/** How many characters a command may carry after it (吧, please) and still be a command; English words are longer. */
const SLACK = { zh: 7, en: 16 };

/** The steering command a message is, if any (knowledge/messages/commands.yaml). */
export function commandOf(text: string): Command | undefined {
  return commandOfNormalized(normalize(text));
}

/** commandOf on a text already normalized. */
export function commandOfNormalized(normalized: string): Command | undefined {
  const t = stripPunctuation(normalized);
  if (!t) return undefined;
  for (const command of Object.keys(COMMANDS) as Command[]) {
    for (const word of COMMANDS[command]) {
      const slack = /^[a-z]/.test(word) ? SLACK.en : SLACK.zh;
      if (t === word || (t.startsWith(word) && t.length - word.length <= slack && !/^[a-z]/.test(t.slice(word.length)))) return command;
    }
  }
  return undefined;
}
