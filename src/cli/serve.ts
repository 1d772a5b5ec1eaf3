import { buildApi } from '../api/app.js';
import { sqliteStoreOn } from '../store/sqlite-store.js';
import { Harvester, type HarvestRunner } from '../harvest/harvester.js';
import { HarvestThread } from '../harvest/harvest-thread.js';
import { Scheduler } from '../harvest/scheduler.js';
import { lastSucceededRun } from '../store/runs.js';
import { openGateway, type CommonOptions } from './context.js';
import { isIdentityDirty } from '../store/identity.js';
import { resolveIdentity } from '../identity/resolve.js';
import { refreshSearchIndex } from '../store/search-index.js';

/** `serve`: the HTTP API, the schedules, and a first harvest of sources never harvested. */
export async function serve(options: CommonOptions): Promise<number> {
  const { config, db, log } = openGateway(options, 'stdout');
  // A process that died between storing records and resolving them (or a reprioritised source,
  // or the first start after an upgrade) left identity to resolve: serve the catalogue it implies.
  if (isIdentityDirty(db)) {
    const outcome = await resolveIdentity(sqliteStoreOn(db));
    log.info({ ...outcome, collisions: outcome.collisions.length }, 'identity resolved at start-up');
  }
  // After an upgrade every dataset is queued for the search index: index it now, not in the
  // first user's search (about 16 s for 100,000 datasets on 2 cores).
  const indexed = refreshSearchIndex(db);
  if (indexed > 0) log.info({ indexed }, 'search index refreshed at start-up');
  // TRANSITION (H2): serve's own store once src/cli is converted; one store per connection, never two over one handle.
  const app = await buildApi({ store: sqliteStoreOn(db), publicUrl: config.server.publicUrl, logger: log, http: config.server });
  await app.listen({ port: config.server.port, host: config.server.host });

  // Harvests run in their own thread: a run's work on records never holds up an API request.
  // A store in memory cannot be opened by another thread (tests): harvested here, as before.
  const harvester: HarvestRunner = db.memory ? new Harvester(sqliteStoreOn(db), config, log) : new HarvestThread(config, db, log);
  const scheduler = new Scheduler(harvester, log);
  scheduler.start(config.sources);

  if (config.harvest.runOnStart) {
    // A fresh install should show a catalogue within seconds, not at the first cron tick.
    for (const source of config.sources) {
      if (!source.enabled || lastSucceededRun(db, source.id)) continue;
      harvester.run(source.id).catch((err: unknown) => log.error({ source: source.id, err }, 'start-up harvest failed'));
    }
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await scheduler.stop();
  await app.close();
  await harvester.shutdown();
  db.close();
  return 0;
}
