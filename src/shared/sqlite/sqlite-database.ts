import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/**
 * Opens the embedded store's single SQLite file. WAL lets readers run while a writer commits;
 * synchronous=FULL keeps a committed append durable across power loss.
 */
export function openSqlite(file: string): Db {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // The default 2 MB page cache thrashes once events and read models outgrow it; 64 MB and a
  // memory map keep bulk deletes and purges off the disk for reads.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  return db;
}

/** The owner of the embedded connection, shared by every embedded adapter of one process. */
export class SqliteConnection {
  readonly db: Db;
  private readonly statements = new Map<string, Database.Statement>();
  constructor(readonly file: string) {
    this.db = openSqlite(file);
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
