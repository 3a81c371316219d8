import Database from 'better-sqlite3';
import { join } from 'node:path';
import { COLLECTIONS } from '../../src/shared/read-models/documents';
import { rmTable } from '../../src/shared/read-models/adapters/sqlite-read-model.schema';

/** Every read-model document of each collection's active generation, read straight from the file. */
export function snapshot(dataDir: string) {
  const db = new Database(join(dataDir, 'workflows.db'), { readonly: true });
  try {
    const generations: Record<string, number> = {};
    const docs: Record<string, unknown[]> = {};
    for (const c of Object.values(COLLECTIONS)) {
      const row = db.prepare('SELECT active FROM rm_generations WHERE collection = ?').get(c) as { active: number } | undefined;
      const g = row?.active ?? 0;
      generations[c] = g;
      docs[c] = (db.prepare(`SELECT doc FROM ${rmTable(c, g)} ORDER BY id`).all() as { doc: string }[]).map((r) => JSON.parse(r.doc));
    }
    return { active: Math.max(...Object.values(generations)), generations, docs };
  } finally {
    db.close();
  }
}
