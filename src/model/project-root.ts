import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root: the nearest directory above this module that holds package.json.
 *
 * Walking up (rather than a fixed `../..`) keeps it right both when run from src/ (ts-node,
 * tests) and from the compiled dist/src/, which sit at different depths.
 */
let cachedRoot: string | undefined;

export function projectRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(directory, 'package.json'))) {
      cachedRoot = directory;
      return directory;
    }
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error(`no package.json found above ${fileURLToPath(import.meta.url)}`);
    }
    directory = parent;
  }
}

/** A path inside the project, e.g. `projectPath('mappings', 'national-record.schema.json')`. */
export function projectPath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}
