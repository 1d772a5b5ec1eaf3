import { readFileSync } from 'node:fs';
import { projectPath } from '../model/project-root.js';

let cached: string | undefined;

/** The version in package.json, for the OpenAPI document and the User-Agent. */
export function packageVersion(): string {
  cached ??= (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
