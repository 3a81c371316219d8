import { Command, InvalidArgumentError } from 'commander';
import { DemoSeeder } from '../modules/demo/demo-seeder';
import { operationView } from '../modules/deletion/operation.view';
import { PurgeService } from '../modules/purge/purge.service';
import { Clock } from '../shared/clock';
import { EventStore } from '../shared/event-sourcing/event-store.port';
import { ProjectionStore } from '../shared/projections/projection-store.port';
import { ProjectionRunner } from '../shared/projections/projection-runner';
import { rebuildProjections } from '../shared/projections/projection-rebuild';
import { DeletionReadModel, InstanceReadModel } from '../shared/read-models/read-model.ports';
import { ALL_PROJECTIONS } from '../shared/storage/projections.registry';
import { UsageError, progress, withContext } from './cli-context';

const count = (name: string, max = 10_000_000) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) > max) throw new InvalidArgumentError(`${name} must be a whole number from 0 to ${max}.`);
  return Number(value);
};
const out = (text: string): void => void process.stdout.write(text + '\n');
const json = (value: unknown) => out(JSON.stringify(value, null, 2));

export function registerCommands(program: Command) {
  const purge = program.command('purge').description('The background hard delete');
  purge
    .command('run-once')
    .description('Run one purge pass now (claims every due soft-deleted instance, batch by batch) and print what it did')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) =>
      withContext(async (app) => {
        const report = await app.get(PurgeService).runOnce();
        if (opts.json) return json(report);
        if (report.skipped === 'lease-held') return out('another replica holds the purge lease; nothing done');
        if (report.batches.length === 0) return out('nothing to purge: no soft-deleted instance is past its grace period');
        for (const b of report.batches)
          out(`batch ${b.batchId}${b.resumed ? ' (resumed)' : ''}: ${b.purged} purged, ${b.failed} failed, ${b.skipped} skipped in ${b.seconds.toFixed(2)}s`);
        out(`total: ${report.purged} purged, ${report.failed} failed`);
      }),
    );

  program
    .command('operations')
    .description('Deletion operations')
    .command('list')
    .description('List deletion operations, newest first')
    .option('--limit <n>', 'how many', count('--limit', 1000), 20)
    .option('--json', 'print JSON')
    .action(async (opts: { limit: number; json?: boolean }) =>
      withContext(async (app) => {
        const items = (await app.get(DeletionReadModel).listOperations({ limit: opts.limit })).map(operationView);
        if (opts.json) return json({ items });
        if (items.length === 0) return out('no deletion operations');
        out(['requestedAt', 'id', 'kind', 'state', 'matched', 'softDeleted', 'purged', 'failed', 'by'].join('\t'));
        for (const o of items) out([o.requestedAt, o.id, o.kind, o.state, o.matched, o.softDeleted, o.purged, o.purgeFailed, o.requestedBy].join('\t'));
      }),
    );

  program
    .command('audit')
    .description('Audit trail')
    .command('instance <id>')
    .description("Print an instance's deletion history (also for purged instances)")
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) =>
      withContext(async (app) => {
        const audit = await app.get(DeletionReadModel).audit(id);
        const exists = audit ? true : !!(await app.get(InstanceReadModel).get(id));
        if (!exists) throw new UsageError(`no workflow instance ${id} and no deletion history for it`);
        const items = audit?.items ?? [];
        if (opts.json) return json({ instanceId: id, items });
        if (items.length === 0) return out(`instance ${id}: no deletion history`);
        for (const i of items) out([i.at, i.type, i.actor, i.operationId ?? '', i.batchId ?? '', i.error ?? ''].join('\t').trimEnd());
      }),
    );

  const projections = program.command('projections').description('Read models');
  projections
    .command('status')
    .description('Each projection: checkpoint, lag in events and in seconds')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) =>
      withContext(async (app) => {
        const events = app.get(EventStore);
        const runner = app.get(ProjectionRunner);
        const names = runner.projections.map((p) => p.name);
        const checkpoints = await app.get(ProjectionStore).loadCheckpoints(names);
        const head = await events.headPosition();
        const now = app.get(Clock).now().getTime();
        const rows = [];
        for (const name of names) {
          const cp = checkpoints.get(name) ?? null;
          const { behind, oldest } = await lag(events, cp);
          rows.push({ projection: name, checkpoint: cp, head, lagEvents: behind, lagSeconds: oldest ? Math.max(0, (now - Date.parse(oldest)) / 1000) : 0 });
        }
        if (opts.json) return json({ items: rows });
        out(['projection', 'checkpoint', 'head', 'lagEvents', 'lagSeconds'].join('\t'));
        for (const r of rows) out([r.projection, r.checkpoint ?? '-', r.head ?? '-', r.lagEvents, r.lagSeconds.toFixed(1)].join('\t'));
      }),
    );

  const names = ALL_PROJECTIONS.map((p) => p.name);
  projections
    .command('rebuild')
    .description(
      'Rebuild read models from the event store into a new generation beside the active one, then switch readers over (blue/green). ' +
        'The service keeps answering meanwhile; Ctrl-C stops and a second run with the same options resumes.',
    )
    .option('--projection <name>', `rebuild and switch this projection only (${names.join(', ')}); default: all`)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { projection?: string; json?: boolean }) => {
      if (opts.projection !== undefined && !names.includes(opts.projection))
        throw new UsageError(`unknown projection "${opts.projection}"; valid names: ${names.join(', ')}`);
      await withContext(async (app) => {
        const all = app.get(ProjectionRunner).projections;
        const chosen = opts.projection === undefined ? all : all.filter((p) => p.name === opts.projection);
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        let bar: ((done: number) => void) | null = null;
        try {
          const r = await rebuildProjections(app.get(EventStore), app.get(ProjectionStore), chosen, {
            signal: abort.signal,
            onProgress: (p) => (bar ??= progress('positions', p.head, p.position))(p.position),
          });
          if (!r.activated) process.exitCode = 130; // stopped by a signal, as shells report it
          if (opts.json) return json(r);
          const target = opts.projection ? `${opts.projection} (generation ${r.generation})` : `generation ${r.generation}`;
          if (!r.activated) return out(`interrupted after ${r.events} events; run the same command again to resume ${target}`);
          const rate = r.seconds > 0 ? Math.round(r.events / r.seconds) : r.events;
          const into = opts.projection ? `${opts.projection} into generation ${r.generation}` : `generation ${r.generation}`;
          out(`rebuilt ${into}${r.resumed ? ' (resumed)' : ''}: ${r.events} events in ${r.seconds.toFixed(1)}s (${rate} events/s); readers switched`);
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      });
    });

  program
    .command('demo')
    .description('Demo data')
    .command('seed')
    .description('Create realistic demo data through the real write path')
    .option('--definitions <n>', 'workflow definitions', count('--definitions', 1000), 3)
    .option('--instances <n>', 'workflow instances', count('--instances'), 1000)
    .option('--blobs-per-instance <n>', 'blobs per instance', count('--blobs-per-instance', 100), 3)
    .option('--bookmarks-per-instance <n>', 'bookmarks per instance', count('--bookmarks-per-instance', 100), 2)
    .option('--prefix <prefix>', 'id prefix (run again with another prefix to add more)', 'demo')
    .action(async (opts: { definitions: number; instances: number; blobsPerInstance: number; bookmarksPerInstance: number; prefix: string }) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/.test(opts.prefix)) throw new UsageError('--prefix must be letters, digits, - or _ (at most 41)');
      await withContext(async (app) => {
        const started = Date.now();
        const r = await app.get(DemoSeeder).seed({ ...opts, onProgress: progress('instances', opts.instances) });
        out(`seeded ${r.definitions.length} definitions, ${r.instances} instances, ${r.events} events, ${r.blobs} blobs in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      });
    });
}

/** Events after the checkpoint (counted up to a cap) and the time of the oldest of them. */
async function lag(events: EventStore, checkpoint: number | null): Promise<{ behind: number; oldest: string | null }> {
  const CAP = 1_000_000;
  let behind = 0;
  let oldest: string | null = null;
  for (let after = checkpoint; behind < CAP; ) {
    const batch = await events.readAll(after, 5000);
    if (batch.length === 0) break;
    oldest ??= batch[0].createdAt;
    behind += batch.length;
    after = batch[batch.length - 1].position;
  }
  return { behind, oldest };
}
