import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFixture } from '../helpers/gateway.js';

/** What the CLI's tests share, in this process and spawned (cli.test.ts, cli-process.test.ts). */

/** `dir`/config.json over `dir`/catalog.db with these sources; loopback allowed, no retries. */
export function writeConfig(dir: string, sources: unknown[]): string {
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      database: { path: join(dir, 'catalog.db') },
      harvest: { allowPrivateAddresses: true, retries: 0, timeoutMs: 3000 },
      sources,
    }),
  );
  return file;
}

export const records = readFixture<Array<Record<string, unknown>>>('crossplatform', 'own-records.json').filter((r) => r.title !== undefined);
