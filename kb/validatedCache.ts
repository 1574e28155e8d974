import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import YAML from 'yaml';
import { cacheDir, fromRoot } from '../config/paths';

/**
 * Reading the knowledge files means parsing YAML and compiling JSON schemas with ajv: ~250 ms of every start, for files
 * that change only with a release. What a validation accepted is kept as JSON in the cache folder, under a key hashing
 * every file in knowledge/, the code that checks them and the libraries that read them; a start with the same key reads
 * the JSON (a few ms). Any change, an unreadable file or another key means validating again, so nothing unchecked is used.
 */

/** Bumped when the file layout changes. */
const FORMAT = 'rnbot-validated-knowledge 1\n';
/** The code that reads and checks knowledge files; the libraries it reads them with. */
const CHECKING_CODE = ['./knowledgeBase', './validatedCache', '../understanding/slots', '../understanding/signals', '../understanding/normalize', '../understanding/limits', '../answers/facts', '../answers/answerPart'];
const LIBRARIES = ['ajv', 'yaml', 'opencc-js'];

let sharedDigest: string | undefined;

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]))
    .sort();
}

/** Hash of everything a validation depends on (computed once per process: knowledge files do not change under it). */
export function knowledgeDigest(): string {
  if (!sharedDigest) {
    const hash = createHash('sha256').update(FORMAT);
    const root = fromRoot('knowledge');
    for (const file of filesUnder(root)) hash.update(`${path.relative(root, file)}\n`).update(fs.readFileSync(file));
    for (const module of CHECKING_CODE) hash.update(fs.readFileSync(require.resolve(module)));
    for (const name of LIBRARIES) hash.update(`${name}@${JSON.parse(fs.readFileSync(fromRoot('node_modules', name, 'package.json'), 'utf8')).version}\n`);
    sharedDigest = hash.digest('hex');
  }
  return sharedDigest;
}

/** The file a validated result named `name` is kept in (sources and build each keep their own). */
export function validatedFile(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), `knowledge-${name}-${path.extname(__filename).slice(1)}.json`);
}

/** `validate()`'s result, or the JSON copy of it that an earlier validation of the very same files kept. */
export function validatedOnce<T>(name: string, validate: () => T): T {
  const key = knowledgeDigest();
  const file = validatedFile(name);
  try {
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as { key?: unknown; data?: unknown };
    if (kept.key === key && kept.data !== undefined) return kept.data as T;
  } catch {
    // no copy yet, or an unreadable one: validate
  }
  const data = validate();
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and renamed: another process reading meanwhile sees the old or the new file whole.
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, JSON.stringify({ key, data }));
    fs.renameSync(partial, file);
  } catch {
    // a read-only folder: the next start validates again
  }
  return data;
}

/**
 * A YAML file of knowledge/ (`file`, relative to it) checked against its schema in knowledge/schema/, kept as
 * validatedOnce keeps it; `check` adds what a schema cannot say and throws when it does not hold.
 */
export function validatedKnowledgeFile<T>(name: string, file: string, schema: string, check?: (data: T) => void): T {
  return validatedOnce(name, () => {
    const data = YAML.parse(fs.readFileSync(fromRoot('knowledge', file), 'utf8'));
    const validate = new Ajv({ allErrors: true }).compile(JSON.parse(fs.readFileSync(fromRoot('knowledge', 'schema', schema), 'utf8')));
    if (!validate(data)) throw new Error(`knowledge/${file}: ${JSON.stringify(validate.errors)}`);
    check?.(data as T);
    return data as T;
  });
}
