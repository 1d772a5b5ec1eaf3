/**
 * `ogd-gateway identity ...`: see and correct which records are one dataset.
 *
 *   identity show DATASET_ID                 members, joining keys, where each field came from
 *   identity split DATASET_ID SOURCE:NATIVE  take that record out of the dataset, for good
 *   identity join SOURCE:NATIVE SOURCE:NATIVE  make two records one dataset, for good
 *   identity overrides                       the operator decisions in force
 *   identity unset OVERRIDE_ID               drop one decision (the keys decide again)
 *   identity candidates                      pairs kept apart, for review (fuzzy, vetoed, lookalike)
 *   identity resolve                         resolve now (normally done after every run)
 *
 * Decisions are stored per record pair and applied by every resolution, so they survive
 * re-harvests. Each change resolves at once, so the served catalogue reflects it when this exits.
 */
import type { Store } from '../store/contract/store.js';
import { resolveIdentity, type ResolutionOutcome } from '../identity/resolve.js';
import type { RecordRef } from '../store/identity.js';
import type { DatasetExplanation } from '../store/identity-explain.js';
import { openGateway, type CommonOptions } from './context.js';
import { writeErr, writeOut } from './output.js';

export interface IdentityOptions extends CommonOptions {
  args: string[];
  json: boolean;
  note?: string | undefined;
}

const USAGE = `usage: ogd-gateway identity show DATASET_ID | split DATASET_ID SOURCE:NATIVE_ID | join SOURCE:NATIVE_ID SOURCE:NATIVE_ID
                            | overrides | unset OVERRIDE_ID | candidates | resolve`;

class UsageError extends Error {}

export async function identity(options: IdentityOptions): Promise<number> {
  const [action, ...args] = options.args;
  if (!action) return usage('identity needs an action');
  const { store } = await openGateway(options, 'stderr');
  try {
    return await run(store, action, args, options);
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  } finally {
    await store.close();
  }
}

async function run(store: Store, action: string, args: string[], options: IdentityOptions): Promise<number> {
  const print = (value: unknown, text: () => string): void => {
    writeOut(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
  };
  switch (action) {
    case 'show': {
      const id = need(args[0], 'a dataset id');
      const explanation = await store.identity.explainDataset(id);
      if (!explanation) return fail(`no dataset with identifier "${id}"`);
      print(explanation, () => formatExplanation(explanation));
      return 0;
    }
    case 'split': {
      const id = need(args[0], 'a dataset id');
      const ref = parseRef(need(args[1], 'SOURCE:NATIVE_ID'));
      const members = await store.identity.datasetMembers(id);
      if (!members.some((m) => sameRef(m, ref)))
        return fail(`record ${formatRef(ref)} is not a member of dataset "${id}" (see \`ogd-gateway identity show ${id}\`)`);
      const others = members.filter((m) => !sameRef(m, ref));
      if (others.length === 0) return fail(`record ${formatRef(ref)} is the only member of dataset "${id}": nothing to split from`);
      for (const other of others) await store.identity.saveOverride('split', ref, other, options.note);
      const outcome = await resolveIdentity(store);
      print(
        { split: ref, from: others, resolution: outcome },
        () => `${formatRef(ref)} split from ${others.map(formatRef).join(', ')}\n${formatOutcome(outcome)}`,
      );
      return 0;
    }
    case 'join': {
      const a = parseRef(need(args[0], 'SOURCE:NATIVE_ID'));
      const b = parseRef(need(args[1], 'a second SOURCE:NATIVE_ID'));
      if (sameRef(a, b)) return fail('a record cannot be joined with itself');
      for (const ref of [a, b]) if (!(await store.identity.recordExists(ref))) return fail(`no stored record ${formatRef(ref)}`);
      await store.identity.saveOverride('join', a, b, options.note);
      const outcome = await resolveIdentity(store);
      print({ joined: [a, b], resolution: outcome }, () => `${formatRef(a)} joined with ${formatRef(b)}\n${formatOutcome(outcome)}`);
      return 0;
    }
    case 'overrides': {
      const overrides = await store.identity.listOverrides();
      print(overrides, () =>
        overrides.length === 0
          ? 'no overrides'
          : overrides.map((o) => `${o.id}\t${o.kind}\t${formatRef(o.a)}\t${formatRef(o.b)}\t${o.createdAt}${o.note ? `\t${o.note}` : ''}`).join('\n'),
      );
      return 0;
    }
    case 'unset': {
      const id = Number(need(args[0], 'an override id (see `ogd-gateway identity overrides`)'));
      if (!Number.isInteger(id) || id < 1) throw new UsageError(`an override id is a positive integer, got "${args[0]}"`);
      if (!(await store.identity.removeOverride(id))) return fail(`no override ${id}`);
      const outcome = await resolveIdentity(store);
      print({ removed: id, resolution: outcome }, () => `override ${id} removed\n${formatOutcome(outcome)}`);
      return 0;
    }
    case 'candidates': {
      const candidates = await store.identity.listCandidates(1000);
      print(candidates, () =>
        candidates.length === 0
          ? 'no candidates'
          : candidates.map((c) => `${formatRef(c.a)} (${c.aDataset})\t${formatRef(c.b)} (${c.bDataset})\t${c.key}`).join('\n'),
      );
      return 0;
    }
    case 'resolve': {
      const outcome = await resolveIdentity(store);
      print(outcome, () => formatOutcome(outcome));
      return 0;
    }
    default:
      throw new UsageError(`unknown identity action "${action}"`);
  }
}

function need(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new UsageError(`identity needs ${what}`);
  return value;
}

/** `source:native`; the native id may itself contain colons (URIs), the source id may not. */
function parseRef(text: string): RecordRef {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new UsageError(`a record is SOURCE:NATIVE_ID, got "${text}"`);
  return { sourceId: text.slice(0, colon), nativeId: text.slice(colon + 1) };
}

function sameRef(a: RecordRef, b: RecordRef): boolean {
  return a.sourceId === b.sourceId && a.nativeId === b.nativeId;
}

function formatRef(ref: RecordRef): string {
  return `${ref.sourceId}:${ref.nativeId}`;
}

function formatExplanation(e: DatasetExplanation): string {
  const lines = [`dataset ${e.identifier} (${e.state}${e.mergedInto ? ` into ${e.mergedInto}` : ''})`, 'members:'];
  for (const m of e.members) {
    lines.push(`  ${formatRef(m)}  priority ${m.priority}, ${m.state}, first seen ${m.firstSeenAt}`);
    for (const key of m.keys.filter((k) => k.sharedWith.length > 0))
      lines.push(`    ${key.kind} ${key.value}  shared with ${key.sharedWith.map(formatRef).join(', ')}`);
  }
  lines.push('fields:');
  for (const [field, ref] of Object.entries(e.fields)) lines.push(`  ${field}  ← ${formatRef(ref)}`);
  if (e.overrides.length > 0) {
    lines.push('overrides:');
    for (const o of e.overrides) lines.push(`  ${o.id} ${o.kind} ${formatRef(o.a)} ${formatRef(o.b)}`);
  }
  return lines.join('\n');
}

function formatOutcome(o: ResolutionOutcome): string {
  return `resolved ${o.records} records into ${o.datasets} datasets in ${o.durationMs} ms: ${o.created} created, ${o.updated} updated, ${o.withdrawn} withdrawn, ${o.reinstated} reinstated, ${o.absorbed} absorbed; ${o.candidates} candidates, ${o.collisions.length} collisions`;
}

function usage(message: string): number {
  writeErr(`ogd-gateway: ${message}\n${USAGE}\n`);
  return 2;
}

function fail(message: string): number {
  writeErr(`ogd-gateway: ${message}\n`);
  return 1;
}
