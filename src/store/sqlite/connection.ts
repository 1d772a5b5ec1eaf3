/**
 * One SQLite connection behind the asynchronous store contract.
 *
 * better-sqlite3 is synchronous: each contract method runs its statements at once and returns a
 * settled promise, so a method is atomic with respect to every other caller of the connection.
 * A few operations must span several awaits with the connection to themselves (identity
 * resolution's session, a push call, a read snapshot): `transaction` gives them that, and every
 * other call made meanwhile waits for it to end instead of running inside its transaction.
 *
 * Errors leave through `call`: a condition of the store itself (full, read-only, gone, locked)
 * becomes a StoreUnavailableError naming the file (store-errors.ts); anything else is rethrown as is.
 */
import type { Db } from '../database.js';
import { asStoreError } from '../store-errors.js';

export class SqliteConnection {
  /** Settles when the current exclusive holder (if any) is done; the next one chains on it. */
  private queue: Promise<void> = Promise.resolve();
  private holders = 0;
  private closed = false;
  /** Set on a transaction's session once the transaction has ended (see `transaction`). */
  private ended = false;

  constructor(
    readonly db: Db,
    readonly location: string,
  ) {}

  /**
   * A contract method on this connection: `fn(db, ...args)`, run when no exclusive holder has
   * the connection, its store errors classified.
   */
  call<A extends unknown[], R>(fn: (db: Db, ...args: A) => R): (...args: A) => Promise<R> {
    return (...args: A): Promise<R> => {
      if (this.holders > 0) return this.queue.then(() => this.now(fn, args));
      try {
        return Promise.resolve(this.now(fn, args));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    };
  }

  /**
   * Runs `work` with the connection to itself: calls through `call` wait until it settles. The
   * work must use only what it is handed (the session), never the store again: that would wait
   * for itself.
   */
  exclusive<T>(work: (db: Db) => Promise<T>): Promise<T> {
    this.holders += 1;
    const turn = this.queue.then(() => {
      this.assertOpen();
      return work(this.db);
    });
    this.queue = turn.then(
      () => this.release(),
      () => this.release(),
    );
    return turn.catch((err: unknown) => {
      throw asStoreError(err, this.location);
    });
  }

  /**
   * A transaction held across the work's awaits: `begin` (BEGIN, or BEGIN IMMEDIATE to take the
   * write lock at once) on the connection held exclusively, COMMIT when `work` resolves, ROLLBACK
   * when it rejects. `work` is handed a session: a connection on the same handle whose calls run
   * inside the transaction (it does not queue behind the holder: it is the holder) and are
   * refused once the transaction has ended. Store functions called inside that open transactions
   * of their own become savepoints of this one (better-sqlite3 nests them).
   */
  transaction<T>(begin: 'BEGIN' | 'BEGIN IMMEDIATE', work: (session: SqliteConnection) => Promise<T>): Promise<T> {
    return this.exclusive(async (db) => {
      const session = new SqliteConnection(db, this.location);
      db.exec(begin);
      try {
        const result = await work(session);
        db.exec('COMMIT');
        return result;
      } finally {
        session.ended = true;
        if (db.inTransaction) db.exec('ROLLBACK');
      }
    });
  }

  close(): void {
    this.closed = true;
    this.db.close();
  }

  private release(): void {
    this.holders -= 1;
  }

  private now<A extends unknown[], R>(fn: (db: Db, ...args: A) => R, args: A): R {
    this.assertOpen();
    try {
      return fn(this.db, ...args);
    } catch (err) {
      throw asStoreError(err, this.location);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the store ${this.location} is closed`);
    if (this.ended) throw new Error(`this transaction on the store ${this.location} has ended: its session is usable only inside it`);
  }
}
