import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { SourceConfig } from '../config/types.js';
import type { HarvestRunner } from './harvester.js';

/** Schedules are read in Taiwan's time: "0 3 * * *" means 03:00 in Taipei wherever the server runs. */
export const SCHEDULE_TIMEZONE = 'Asia/Taipei';

/** One cron task per enabled source; the Harvester keeps two runs of one source from overlapping. */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];

  constructor(
    private readonly harvester: HarvestRunner,
    private readonly log: Logger,
  ) {}

  start(sources: readonly SourceConfig[]): void {
    for (const source of sources) {
      if (!source.enabled) continue;
      const task = cron.schedule(
        source.schedule,
        async () => {
          try {
            await this.harvester.run(source.id);
          } catch (err) {
            // Could not start, or the store failed under it (full, read-only: the error names the file).
            this.log.error({ source: source.id, err }, `scheduled harvest failed: ${(err as Error).message}`);
          }
        },
        { timezone: SCHEDULE_TIMEZONE, name: `harvest:${source.id}`, noOverlap: true },
      );
      this.tasks.push(task);
      this.log.info({ source: source.id, schedule: source.schedule, next: task.getNextRun()?.toISOString() }, 'harvest scheduled');
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.tasks.map(async (task) => task.destroy()));
    this.tasks.length = 0;
  }
}
