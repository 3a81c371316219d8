import { SqliteConnection, immediate, snapshot } from '../../sqlite/sqlite-database';
import { collectionSchema, parseRmTable, rmPrefix, rmTable, sharedSchema } from '../../read-models/adapters/sqlite-read-model.schema';
import { GenerationRow, generationRow, saveGenerationRow } from '../../read-models/adapters/sqlite-generations';
import { ProjectionGenerations, ProjectionRef } from '../projection-store.port';

/**
 * Beginning, switching and dropping the generations of projections in the embedded store (the
 * layout is described in `sqlite-read-model.schema.ts`). Every method is one transaction.
 * One rebuild of a projection at a time: two processes rebuilding the same projection would fill
 * the same generation, and one of them fails on its checkpoint compare-and-set.
 */
export class SqliteGenerationLifecycle {
  constructor(
    private readonly conn: SqliteConnection,
    /** Told about each generation whose tables were dropped here, so the caller forgets them. */
    private readonly dropped: (generation: number) => void,
  ) {}

  generations(projections: ProjectionRef[]): Map<string, ProjectionGenerations> {
    return snapshot(this.conn.db, () => new Map(projections.map((p) => [p.name, pick(generationRow(this.conn, p))])));
  }

  begin(projections: ProjectionRef[]): Map<string, number> {
    return immediate(this.conn.db, () => {
      this.dropLegacyBuilding();
      const out = new Map<string, number>();
      let fresh: number | null = null;
      for (const p of projections) {
        const row = generationRow(this.conn, p);
        // Numbers above every table in the file: a new generation cannot meet an abandoned one's leftovers.
        const g = row.building ?? (fresh ??= this.nextGeneration());
        if (row.building === null) saveGenerationRow(this.conn, { ...row, building: g });
        this.conn.db.exec(sharedSchema(g) + collectionSchema(p.collection, g));
        out.set(p.name, g);
      }
      return out;
    });
  }

  activate(generation: number, projections: ProjectionRef[]): void {
    immediate(this.conn.db, () => {
      const rows = projections.map((p) => generationRow(this.conn, p));
      for (const r of rows) {
        if (![r.active, r.previous, r.building].includes(generation))
          throw new Error(`generation ${generation} of projection ${r.name} was never built or has been dropped`);
      }
      for (const r of rows) {
        const previous = r.active === generation ? r.previous : r.active;
        const building = r.building === generation ? null : r.building;
        saveGenerationRow(this.conn, { ...r, active: generation, previous, building });
        const keepFrom = Math.min(previous ?? generation, generation - 1);
        for (const g of this.generationsOf(r.collection)) if (g < keepFrom && g !== building) this.dropProjection(r, g);
      }
      this.dropEmptyGenerations();
    });
  }

  /** Generations that hold a table of `collection`. */
  private generationsOf(collection: string): number[] {
    return this.tables().filter((t) => t.suffix === collection).map((t) => t.generation);
  }

  private tables() {
    return this.conn
      .stmt<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm%'")
      .all()
      .map((t) => parseRmTable(t.name))
      .filter((t): t is NonNullable<typeof t> => t !== null);
  }

  private nextGeneration(): number {
    const rows = this.conn.stmt<[], GenerationRow>('SELECT * FROM rm_generations').all();
    const used = [...rows.flatMap((r) => [r.active, r.previous ?? 0, r.building ?? 0]), ...this.tables().map((t) => t.generation), legacy(this.conn, 'active') ?? 0];
    return Math.max(0, ...used) + 1;
  }

  /** Removes one projection's documents, tombstones and checkpoint from generation `g`. */
  private dropProjection(r: GenerationRow, g: number) {
    const p = rmPrefix(g);
    const shared = new Set(this.tables().filter((t) => t.generation === g).map((t) => t.suffix));
    this.conn.db.exec(`DROP TABLE IF EXISTS ${rmTable(r.collection, g)}`);
    if (shared.has('tombstones')) this.conn.stmt(`DELETE FROM ${p}tombstones WHERE collection = ?`).run(r.collection);
    if (shared.has('checkpoints')) this.conn.stmt(`DELETE FROM ${p}checkpoints WHERE name = ?`).run(r.name);
    this.dropped(g);
  }

  /** Drops the checkpoints and tombstones tables of generations no projection uses any more. */
  private dropEmptyGenerations() {
    const rows = this.conn.stmt<[], GenerationRow>('SELECT * FROM rm_generations').all();
    const inUse = new Set([legacy(this.conn, 'active') ?? 0, ...rows.flatMap((r) => [r.active, r.previous, r.building])]);
    const byGeneration = new Map<number, string[]>();
    for (const t of this.tables()) byGeneration.set(t.generation, [...(byGeneration.get(t.generation) ?? []), t.suffix]);
    for (const [g, suffixes] of byGeneration) {
      if (inUse.has(g) || suffixes.some((s) => s !== 'checkpoints' && s !== 'tombstones')) continue;
      this.conn.db.exec(`DROP TABLE IF EXISTS ${rmPrefix(g)}checkpoints; DROP TABLE IF EXISTS ${rmPrefix(g)}tombstones;`);
      this.dropped(g);
    }
  }

  /**
   * A rebuild interrupted before generations were per projection (`rm_meta.building`) starts
   * over: its tables go, the key goes.
   */
  private dropLegacyBuilding() {
    const b = legacy(this.conn, 'building');
    if (b === null) return;
    const inUse = this.conn.stmt<[number, number, number], { n: number }>('SELECT COUNT(*) AS n FROM rm_generations WHERE active = ? OR previous = ? OR building = ?').get(b, b, b)!.n;
    if (inUse === 0 && b !== legacy(this.conn, 'active')) {
      for (const t of this.tables()) if (t.generation === b) this.conn.db.exec(`DROP TABLE IF EXISTS ${rmPrefix(b)}${t.suffix}`);
      this.dropped(b);
    }
    this.conn.stmt("DELETE FROM rm_meta WHERE key = 'building'").run();
  }
}

const pick = (r: GenerationRow): ProjectionGenerations => ({ active: r.active, building: r.building });

function legacy(conn: SqliteConnection, key: 'active' | 'building'): number | null {
  return conn.stmt<[string], { value: number }>('SELECT value FROM rm_meta WHERE key = ?').get(key)?.value ?? null;
}
