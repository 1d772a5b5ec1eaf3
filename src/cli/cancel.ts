import { openGateway, type CommonOptions } from './context.js';
import { writeErr, writeOut } from './output.js';

/** `cancel RUN_ID`: stop a run from any process; a queued run at once, a running one at its next page. */
export async function cancel(options: CommonOptions & { runId: string | undefined }): Promise<number> {
  const runId = Number(options.runId);
  if (!options.runId || !Number.isInteger(runId) || runId < 1) {
    writeErr(`ogd-gateway: cancel needs a run id (see \`ogd-gateway runs\`), got ${JSON.stringify(options.runId ?? '')}\n`);
    return 2;
  }
  const { store } = await openGateway(options, 'stderr');
  try {
    const outcome = await store.runs.requestCancel(runId);
    if (outcome === 'not-open') {
      writeErr(`ogd-gateway: run ${runId} is not queued or running\n`);
      return 1;
    }
    writeOut(outcome === 'cancelled' ? `run ${runId} cancelled\n` : `run ${runId} will stop after its current page\n`);
    return 0;
  } finally {
    await store.close();
  }
}
