/**
 * The store itself cannot be used: the disk is full, the file or its directory is read-only,
 * the file cannot be opened, the disk fails, the file is not (or no longer) a SQLite database,
 * or another process has held the write lock past the busy timeout. None of these is a bug
 * or a bad record: the operator (or time) has to fix them, so each becomes one typed error
 * naming the database file and what to do, instead of a raw SqliteError.
 *
 * Classified at the boundaries (the store's open, a harvest run's error path, the API's error
 * handler, the CLI's top level) by `storeErrorOf`, not in every store function: better-sqlite3
 * throws SqliteError from any statement, and only the boundary knows it ends the work.
 */
/** A store refusal the operator must see: a schema newer than this code, a source already being harvested, the conditions below. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export type StoreCondition = 'full' | 'read-only' | 'cannot-open' | 'io' | 'corrupt' | 'busy';

/** What each condition means and what the operator should do about it. */
const ADVICE: Record<StoreCondition, { is: string; todo: string }> = {
  full: { is: 'is full', todo: 'free disk space or move DATABASE_PATH, then run again' },
  'read-only': {
    is: 'is read-only',
    todo: "check the file's and directory's permissions (WAL needs the directory writable) or set DATABASE_PATH",
  },
  'cannot-open': {
    is: 'cannot be opened',
    todo: 'check that its directory exists and is writable by this user (WAL creates files beside it) or set DATABASE_PATH',
  },
  io: { is: 'could not be read or written', todo: 'check the disk (kernel log, free space) and run again' },
  corrupt: {
    is: 'is damaged or not a SQLite database',
    todo: 'restore it from a backup, or set DATABASE_PATH to a new file and harvest again',
  },
  busy: { is: 'is locked by another process', todo: 'wait for its write to finish (or stop it) and run again' },
};

/** The database file at `path` cannot be used; `code` is SQLite's (SQLITE_FULL ...) or the system's (ENOSPC ...). */
export class StoreUnavailableError extends StoreError {
  constructor(
    readonly path: string,
    readonly condition: StoreCondition,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`the store ${path} ${ADVICE[condition].is} (${code}): ${ADVICE[condition].todo}`, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * `err` as a StoreUnavailableError of the database at `path`, or undefined when it is not one
 * (a constraint violation, a bug, an error of something else). SQLite's extended codes
 * (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE ...) count as their primary code. Only SQLite's
 * codes: an ENOENT or EACCES met elsewhere (a `file` source) says nothing about the store.
 */
export function storeErrorOf(err: unknown, path: string): StoreUnavailableError | undefined {
  if (err instanceof StoreUnavailableError) return err;
  return classify(err, path, sqliteCondition);
}

/** As storeErrorOf, and the system's codes too: for the open, whose only other work is creating the directory. */
export function openErrorOf(err: unknown, path: string): StoreUnavailableError | undefined {
  return classify(err, path, (code) => sqliteCondition(code) ?? systemCondition(code));
}

/** `err` classified (see storeErrorOf) when it is a store condition, else `err` itself: for `throw`. */
export function asStoreError(err: unknown, path: string): unknown {
  return storeErrorOf(err, path) ?? err;
}

function classify(err: unknown, path: string, conditionOf: (code: string) => StoreCondition | undefined): StoreUnavailableError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const condition = conditionOf(code);
  return condition === undefined ? undefined : new StoreUnavailableError(path, condition, code, { cause: err });
}

/** SQLite's codes, from a statement or the open (better-sqlite3 gives the extended name). */
function sqliteCondition(code: string): StoreCondition | undefined {
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_READONLY')) return 'read-only';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'cannot-open';
  if (code.startsWith('SQLITE_IOERR')) return 'io';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  if (code.startsWith('SQLITE_BUSY')) return 'busy';
  return undefined;
}

/** The system's, from creating the store's directory. */
function systemCondition(code: string): StoreCondition | undefined {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'read-only';
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOENT' || code === 'EISDIR') return 'cannot-open';
  if (code === 'EIO') return 'io';
  return undefined;
}
