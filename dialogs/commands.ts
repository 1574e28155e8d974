import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { normalize, stripPunctuation } from '../understanding/normalize';

export type Command = 'cancel' | 'restart' | 'help';

const COMMANDS: Record<Command, string[]> = YAML.parse(
  fs.readFileSync(path.join(__dirname, '..', 'knowledge', 'messages', 'commands.yaml'), 'utf8'),
);
/** How many characters a command may carry around it (吧, please) and still be a command. */
const SLACK = 7;

/** The steering command a message is, if any (knowledge/messages/commands.yaml). */
export function commandOf(text: string): Command | undefined {
  const t = stripPunctuation(normalize(text));
  if (!t) return undefined;
  for (const command of Object.keys(COMMANDS) as Command[]) {
    for (const word of COMMANDS[command]) {
      if (t === word || (t.startsWith(word) && t.length - word.length <= SLACK && !/^[a-z]/.test(t.slice(word.length)))) return command;
    }
  }
  return undefined;
}
