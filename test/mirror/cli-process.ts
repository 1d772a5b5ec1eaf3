import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the mirror's command-line tests share (the CLI itself: test/helpers/in-process-cli.ts, spawned-cli.ts). */

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
