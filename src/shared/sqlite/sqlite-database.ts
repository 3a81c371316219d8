import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/**
 * Opens the embedded store's single SQLite file. WAL lets readers run while a writer commits;
 * synchronous=FULL keeps a committed append durable across power loss.
 */
export function openSqlite(file: string, busyTimeoutMs = 5000): Db {
  mkdirSync(dirname(file), { recursive: true });
  // How long a statement waits for another process's write lock before failing with SQLITE_BUSY
  // (answered 503). better-sqlite3 waits synchronously, so this also bounds how long it blocks.
  const db = new Database(file, { timeout: busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // The default 2 MB page cache thrashes once events and read models outgrow it: 64 MB of page
  // cache keeps bulk deletes and purges off the disk for reads. It is the connection's bound on
  // SQLite's own memory (anonymous, filled within the first seconds of a bulk job, then flat).
  db.pragma('cache_size = -65536');
  // No memory map. A map of mmap_size bytes becomes resident as pages of the file are read, so a
  // process's RSS grows with the file up to that size (256 MB used to be mapped: the purge of a
  // 100,000 backlog ended at 307 MB of file-backed RSS vs 106 MB at 10,000). Reads through the
  // page cache and the OS cache measured the same purge rate and CPU time (docs/benchmarks.md).
  db.pragma('mmap_size = 0');
  return db;
}

/** The owner of the embedded connection, shared by every embedded adapter of one process. */
export class SqliteConnection {
  readonly db: Db;
  private readonly statements = new Map<string, Database.Statement>();
  constructor(
    readonly file: string,
    busyTimeoutMs?: number,
  ) {
    this.db = openSqlite(file, busyTimeoutMs);
  }
  /** A prepared statement, cached by its SQL text (preparing is the costly part of a small query). */
  stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s as unknown as Database.Statement<P, R>;
  }
  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Runs `fn` in one IMMEDIATE transaction (writers take the lock up front, so no upgrade deadlock). */
export function immediate<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/**
 * Runs `fn` in one read transaction: in WAL mode every statement of it sees the same snapshot,
 * even while another process commits (a read that resolves a table name and then queries it
 * cannot see the table dropped in between).
 */
export function snapshot<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).deferred();
}
