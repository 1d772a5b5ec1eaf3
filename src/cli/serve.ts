import { buildApi } from '../api/app.js';
import { Harvester, type HarvestRunner } from '../harvest/harvester.js';
import { HarvestThread } from '../harvest/harvest-thread.js';
import { Scheduler } from '../harvest/scheduler.js';
import { openGateway, type CommonOptions } from './context.js';
import { resolveIdentity } from '../identity/resolve.js';

/** `serve`: the HTTP API, the schedules, and a first harvest of sources never harvested. */
export async function serve(options: CommonOptions): Promise<number> {
  const { config, store, log } = await openGateway(options, 'stdout');
  // A process that died between storing records and resolving them (or a reprioritised source,
  // or the first start after an upgrade) left identity to resolve: serve the catalogue it implies.
  if (await store.identity.isIdentityDirty()) {
    const outcome = await resolveIdentity(store);
    log.info({ ...outcome, collisions: outcome.collisions.length }, 'identity resolved at start-up');
  }
  // After an upgrade every dataset is queued for the search index: index it now, not in the
  // first user's search (about 16 s for 100,000 datasets on 2 cores).
  const indexed = await store.search.refreshSearchIndex();
  if (indexed > 0) log.info({ indexed }, 'search index refreshed at start-up');
  const app = await buildApi({ store, publicUrl: config.server.publicUrl, logger: log, http: config.server });
  await app.listen({ port: config.server.port, host: config.server.host });

  // Harvests run in their own thread: a run's work on records never holds up an API request.
  // A store in memory cannot be opened by another thread (tests): harvested here, as before.
  const harvester: HarvestRunner = store.reopenable ? new HarvestThread(config, store, log) : new Harvester(store, config, log);
  const scheduler = new Scheduler(harvester, log);
  scheduler.start(config.sources);

  if (config.harvest.runOnStart) {
    // A fresh install should show a catalogue within seconds, not at the first cron tick.
    for (const source of config.sources) {
      if (!source.enabled || (await store.runs.lastSucceededRun(source.id))) continue;
      harvester.run(source.id).catch((err: unknown) => log.error({ source: source.id, err }, 'start-up harvest failed'));
    }
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      // Both go, whichever came: a caller in this process (runCli) goes on without them.
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await scheduler.stop();
  await app.close();
  await harvester.shutdown();
  await store.close();
  return 0;
}
