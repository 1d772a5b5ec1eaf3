import { spawn, type SpawnOptions } from 'node:child_process';
import { projectPath } from '../../src/model/project-root.js';

/**
 * The bin as an operator runs it, for what needs a real process: signals (Ctrl-C, SIGTERM),
 * kill -9, the bin's own exit status, another user, processes contending for one store.
 * Everything else runs in this process (in-process-cli.ts): a spawn costs seconds on a busy machine.
 */
export const CLI = projectPath('dist', 'src', 'cli.js');

export interface SpawnedResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `ogd-gateway ARGS` in a child process (LOG_LEVEL warn, `env` over this process's environment),
 * until it exits. Not spawnSync: what answers the child (a platform, an upstream) lives in this
 * process's event loop.
 */
export function spawnCli(args: string[], env: Record<string, string> = {}, options: Pick<SpawnOptions, 'uid' | 'gid'> = {}): Promise<SpawnedResult> {
  return new Promise((resolve) => {
    // Another user's process is not instrumented by tap (its hook, which tap puts in NODE_OPTIONS
    // of every child, would write into this user's .tap and fail): `env -u` drops it.
    const [command, commandArgs] =
      options.uid !== undefined ? ['env', ['-u', 'NODE_OPTIONS', process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
    const child = spawn(command, commandArgs, { cwd: projectPath(), env: { ...process.env, LOG_LEVEL: 'warn', ...env }, ...options });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
