import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../../src/model/project-root.js';

/** Spawning `ogd-gateway` for the mirror's command-line tests. */

export const CLI = projectPath('dist', 'src', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Not spawnSync: the upstream answering the mirror lives in this process's event loop. */
export function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: projectPath(), env: { ...process.env, LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A configuration whose database is `dir`/mirror.db; loopback NOT allowed (the mirror's flag does it). */
export function writeMirrorConfig(dir: string, sources: unknown[] = []): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ database: { path: join(dir, 'mirror.db') }, harvest: { retries: 0, timeoutMs: 5000 }, sources }));
  return file;
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
