import { runCli as runCliMain } from '../../src/cli/main.js';

/** What an invocation of the CLI wrote and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `ogd-gateway ARGS` run in this process (src/cli/main.ts), its output captured: what the
 * operator's shell would see, without a process per case. Invocations may run side by side:
 * each has its own output. The environment is this process's, LOG_LEVEL warn (as the spawned
 * tests had it), with `env` over it; process.env is not touched.
 *
 * A real process is still needed for signals, kill -9 and the bin's own wiring: spawnCli in spawned-cli.ts.
 */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCliMain(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  });
  return { code, stdout, stderr };
}
