import { SqliteConnection } from '../../sqlite/sqlite-database';

export const META_SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_meta (key TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_generations (name TEXT PRIMARY KEY, collection TEXT NOT NULL UNIQUE, active INTEGER NOT NULL, previous INTEGER, building INTEGER) WITHOUT ROWID;
`;

export interface GenerationRow {
  name: string;
  collection: string;
  active: number;
  previous: number | null;
  building: number | null;
}

const LEGACY_ACTIVE = "(SELECT value FROM rm_meta WHERE key = 'active')";

/**
 * The generation readers use for a collection. Resolved on every query (a primary-key lookup), so
 * a switch made by another process is seen at once; callers resolve it and query inside one read
 * transaction, so the answer comes from one snapshot even while another process switches.
 */
export function activeGeneration(conn: SqliteConnection, collection: string): number {
  return conn
    .stmt<[string], { g: number }>(`SELECT COALESCE((SELECT active FROM rm_generations WHERE collection = ?), ${LEGACY_ACTIVE}, 0) AS g`)
    .get(collection)!.g;
}

/** The generation whose checkpoints table holds the checkpoint of projection `name`. */
export function checkpointGeneration(conn: SqliteConnection, name: string): number {
  return conn.stmt<[string], { g: number }>(`SELECT COALESCE((SELECT active FROM rm_generations WHERE name = ?), ${LEGACY_ACTIVE}, 0) AS g`).get(name)!.g;
}

/** The projection's row, or what it implies before it has one. */
export function generationRow(conn: SqliteConnection, p: { name: string; collection: string }): GenerationRow {
  const row = conn.stmt<[string], GenerationRow>('SELECT * FROM rm_generations WHERE name = ?').get(p.name);
  const legacy = conn.stmt<[], { value: number }>(`SELECT value FROM rm_meta WHERE key = 'active'`).get()?.value ?? 0;
  return row ?? { ...p, active: legacy, previous: null, building: null };
}

export function saveGenerationRow(conn: SqliteConnection, r: GenerationRow): void {
  conn
    .stmt(
      `INSERT INTO rm_generations (name, collection, active, previous, building) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET collection = excluded.collection, active = excluded.active, previous = excluded.previous, building = excluded.building`,
    )
    .run(r.name, r.collection, r.active, r.previous, r.building);
}

