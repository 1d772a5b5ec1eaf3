import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectPath } from '../../src/model/project-root.js';
import { tempDir } from '../helpers/gateway.js';
import { CLI } from '../helpers/spawned-cli.js';
import { waitFor, writeMirrorConfig } from './cli-process.js';
import { cityRecord, comparableExports, startDownstream, startUpstream } from './gateways.js';

/** `ogd-gateway mirror URL` following an upstream gateway, then stopped with Ctrl-C. */

const cities = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => cityRecord(from + i));

t.test('following: each poll applies what changed upstream; Ctrl-C stops it cleanly with exit 0', async (t) => {
  const upstream = await startUpstream(t, { city: cities(1, 4), hub: [] });
  await upstream.harvest('city');
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const config = writeMirrorConfig(dir);
  const child: ChildProcess = spawn(process.execPath, [CLI, 'mirror', upstream.base, '--interval', '1', '--allow-private-addresses', '--config', config], {
    cwd: projectPath(),
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  await waitFor('the first sync', () => /SUCCEEDED/.test(stdout));
  t.match(stdout, /4 changes: 4 new/);
  upstream.city.records.delete('379000000A-000002');
  upstream.city.records.set('379000000A-000005', cityRecord(5));
  await upstream.harvest('city');
  await waitFor('the sync of the changes', () => (stdout.match(/SUCCEEDED/g) ?? []).length === 2);
  t.match(stdout, /2 changes: 1 new, 0 changed, 0 unchanged, 0 rejected, 1 kept with rule errors, 1 withdrawn/);
  t.notMatch(stdout, /up to date/, 'idle polls print nothing');

  child.kill('SIGINT');
  t.equal(await exited, 0, 'Ctrl-C ends a follower normally');
  const downstream = await startDownstream(t, join(dir, 'mirror.db'));
  const { upstream: up, downstream: down } = await comparableExports(upstream.base, downstream.base);
  t.equal(down.csv, up.csv, 'the CSV exports are identical');
  t.equal(down.jsonld, up.jsonld, 'the JSON-LD exports are identical (but for the public URL)');
});
