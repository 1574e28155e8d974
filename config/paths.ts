import * as fs from 'fs';
import * as path from 'path';

/**
 * The package root: the nearest folder upward holding package.json. Sources run from the root (tsx, jest) and the build
 * from dist/, so data files (knowledge/, web/, teams/) are found from here, never by counting '..' from __dirname.
 */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);

/** A path inside the package: fromRoot('knowledge', 'slots.yaml'). */
export function fromRoot(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}

/** Where built artefacts (the classifier model, validated knowledge) are kept: MODEL_CACHE_DIR, or .cache/ in the package. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MODEL_CACHE_DIR || fromRoot('.cache');
}
