import * as fs from 'fs';
import * as path from 'path';

/** The project's sources of truth live beside the repository, in ../shared (CI clones main with shared/ beside it). */
export const SHARED_DIR = path.resolve(__dirname, '..', '..', '..', 'shared');

export function sharedFile(...parts: string[]): string {
  const file = path.join(SHARED_DIR, ...parts);
  if (!fs.existsSync(file)) throw new Error(`missing ${file}: the tests need ../shared beside the repository`);
  return file;
}

/** Taxonomy ids from shared/kb-taxonomy.tsv. */
export function taxonomyIds(): string[] {
  return fs
    .readFileSync(sharedFile('kb-taxonomy.tsv'), 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => l.split('\t')[0].trim());
}
