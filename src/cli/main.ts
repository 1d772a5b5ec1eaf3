/**
 * The command line as a function: `runCli(argv)` runs one invocation and answers its exit status.
 * The bin (src/cli.ts) calls it for the process; a test calls it in its own process, with its
 * output captured and its environment given, instead of spawning a gateway per case.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load.js';
import { StoreError, storeErrorOf } from '../store/store-errors.js';
import { serve } from './serve.js';
import { harvest } from './harvest.js';
import { sources } from './sources.js';
import { runs } from './runs.js';
import { cancel } from './cancel.js';
import { identity } from './identity.js';
import { keys } from './keys.js';
import { mirror } from './mirror.js';
import { withCliOutput, writeErr, writeOut, type CliStream } from './output.js';

export interface CliIo {
  /** Default: the process's own streams. */
  stdout?: CliStream;
  stderr?: CliStream;
  /** DATABASE_PATH, OGD_CONFIG, LOG_LEVEL, PORT. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

const USAGE = `ogd-gateway — harvest Taiwan open-data catalogues and serve one federated catalogue

Usage:
  ogd-gateway serve                   HTTP API and scheduled harvests
  ogd-gateway harvest [sourceId ...]  harvest now (all enabled sources when none named)
  ogd-gateway sources                 every source (configured, mirrors, push) with its last run
  ogd-gateway runs [sourceId]         recent runs with their errors grouped by cause
  ogd-gateway cancel RUN_ID           stop a queued or running run (from any process)
  ogd-gateway identity show DATASET_ID                 members, joining keys, field sources
  ogd-gateway identity split DATASET_ID SOURCE:NATIVE  take a record out of a dataset, for good
  ogd-gateway identity join SOURCE:NATIVE SOURCE:NATIVE  make two records one dataset, for good
  ogd-gateway identity overrides | unset ID | candidates | resolve
  ogd-gateway keys issue --publisher NAME --org-code CODE [--allow CIDR]...  an agency's push API key (shown once)
  ogd-gateway keys list | revoke KEY_ID                 push API keys (never their secrets) | refuse one from now on
  ogd-gateway mirror URL              follow another gateway's change feed into this store
  ogd-gateway mirror                  the mirrors of this store, their cursors and last runs

Options:
  --config FILE   configuration file (default: $OGD_CONFIG, else config/default.json)
  --full          harvest: ignore the last run and list everything
  --strict        harvest: exit 1 on a partial run too, not only on a failed one
  --json          sources, runs, identity, keys: machine-readable output
  --note TEXT     identity split/join: why (kept with the decision)
  --publisher NAME, --org-code CODE, --allow CIDR   keys issue: whose key, which identifiers, from where (repeatable)
  --once          mirror: sync to the end of the feed and exit (default: keep following)
  --interval S    mirror: seconds between polls when following (default 60)
  --reset         mirror: walk the feed from the beginning again (a replaced upstream)
  --priority N    mirror: the mirrored source's priority in merges (default 0)
  --allow-private-addresses  mirror: the upstream may be on loopback or a private network
  -h, --help      this text

Environment: PORT, DATABASE_PATH, OGD_CONFIG, LOG_LEVEL.
Exit status: 0 success; 1 a run failed (or was cancelled); 2 bad usage or configuration;
3 the store cannot be used (full, read-only, cannot be opened, damaged, locked; the message says what to do).`;

/** The store cannot be used: distinct from a failed run (1) and bad usage (2), so scripts and supervisors can tell. */
const STORE_EXIT_STATUS = 3;

async function dispatch(argv: string[], env: NodeJS.ProcessEnv, onStorePath: (path: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        full: { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        note: { type: 'string' },
        publisher: { type: 'string' },
        'org-code': { type: 'string' },
        allow: { type: 'string', multiple: true },
        once: { type: 'boolean', default: false },
        interval: { type: 'string' },
        reset: { type: 'boolean', default: false },
        priority: { type: 'string' },
        'allow-private-addresses': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    writeErr(`ogd-gateway: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [verb, ...rest] = positionals;
  if (values.help || !verb) {
    writeOut(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const common = { configFile: values.config, env, onStorePath };
  switch (verb) {
    case 'serve':
      return serve(common);
    case 'harvest':
      return harvest({ ...common, sourceIds: rest, full: values.full, strict: values.strict });
    case 'sources':
      return sources({ ...common, json: values.json });
    case 'runs':
      return runs({ ...common, sourceId: rest[0], json: values.json });
    case 'cancel':
      return cancel({ ...common, runId: rest[0] });
    case 'identity':
      return identity({ ...common, args: rest, json: values.json, note: values.note });
    case 'keys':
      return keys({ ...common, args: rest, json: values.json, publisher: values.publisher, orgCode: values['org-code'], allow: values.allow });
    case 'mirror':
      if (rest.length > 1) {
        writeErr(`ogd-gateway mirror: one URL at a time (got ${rest.length}); run one mirror process per upstream gateway\n`);
        return 2;
      }
      return mirror({
        ...common,
        url: rest[0],
        once: values.once,
        reset: values.reset,
        interval: values.interval,
        priority: values.priority,
        allowPrivateAddresses: values['allow-private-addresses'],
        json: values.json,
      });
    default:
      writeErr(`ogd-gateway: unknown command "${verb}"\n\n${USAGE}\n`);
      return 2;
  }
}

/**
 * Run one invocation: 0 success; 1 a run failed (or was cancelled), or an unexpected error;
 * 2 bad usage or configuration; 3 the store cannot be used. Never rejects: what went wrong is
 * written to the invocation's stderr, as the operator reads it.
 */
export function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const output = { stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr };
  return withCliOutput(output, async () => {
    // The database file this invocation opened: named when the store fails.
    let storePath: string | undefined;
    try {
      return await dispatch(argv, io.env ?? process.env, (path) => (storePath = path));
    } catch (err) {
      return reportFailure(err, storePath);
    }
  });
}

function reportFailure(err: unknown, storePath: string | undefined): number {
  if (err instanceof ConfigError) {
    writeErr(`ogd-gateway: configuration error: ${err.message}\n`);
    return 2;
  }
  // The store cannot be used (full, read-only, unopenable ...) or refuses (a newer schema):
  // one line naming the file and what to do; the operator has nothing to debug.
  const storeError = storeErrorOf(err, storePath ?? 'in use') ?? (err instanceof StoreError ? err : undefined);
  if (storeError) {
    writeErr(`ogd-gateway: ${storeError.message}\n`);
    return STORE_EXIT_STATUS;
  }
  writeErr(`ogd-gateway: ${(err as Error).stack ?? String(err)}\n`);
  return 1;
}
