import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RecordedEvent } from '../../src/shared/event-sourcing/event';

/** The catalogue's JSON Schemas: one per event type for `data`, and `metadata.json`. */
export const SCHEMA_DIR = join(__dirname, '..', '..', 'docs', 'schemas');
export const METADATA_SCHEMA = 'metadata';

/** Event types that have a schema file (every `*.json` but `metadata.json`). */
export function schemaTypes(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.json') && f !== `${METADATA_SCHEMA}.json`)
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function readSchema(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.json`), 'utf8'));
}

let validators: Map<string, ValidateFunction> | null = null;

/** One strict draft 2020-12 validator per schema file, compiled once per test file. */
function validator(name: string): ValidateFunction | null {
  if (!validators) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    validators = new Map();
    for (const f of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'))) {
      const n = f.slice(0, -'.json'.length);
      validators.set(n, ajv.compile(readSchema(n)));
    }
  }
  return validators.get(name) ?? null;
}

const describeError = (e: ErrorObject) => {
  const at = e.instancePath || '(root)';
  const extra =
    e.keyword === 'additionalProperties'
      ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
      : e.keyword === 'enum'
        ? ` ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`
        : '';
  return `${at} ${e.message}${extra}`;
};

/** Every violation of one event, as readable lines (empty when it conforms). */
export function eventViolations(e: Pick<RecordedEvent, 'type' | 'data' | 'metadata'>): string[] {
  const out: string[] = [];
  const data = validator(e.type);
  if (!data || e.type === METADATA_SCHEMA) out.push(`no schema docs/schemas/${e.type}.json for event type ${e.type}`);
  else if (!data(e.data)) out.push(...data.errors!.map((err) => `data ${describeError(err)}`));
  const meta = validator(METADATA_SCHEMA)!;
  if (!meta(e.metadata)) out.push(...meta.errors!.map((err) => `metadata ${describeError(err)}`));
  return out;
}

const MAX_LINES = 100;

/**
 * Validates each event's data against `docs/schemas/<type>.json` and its metadata against
 * `docs/schemas/metadata.json`. Throws one error listing every violation, event by event.
 */
export function assertEventsMatchSchemas(events: RecordedEvent[]): void {
  const lines: string[] = [];
  let bad = 0;
  for (const e of events) {
    const v = eventViolations(e);
    if (v.length === 0) continue;
    bad++;
    lines.push(`${e.type} ${e.streamId}@${e.revision} (position ${e.position}, id ${e.id}):`);
    lines.push(...v.map((l) => `  - ${l}`));
    lines.push(`    data: ${truncate(JSON.stringify(e.data))}`);
    lines.push(`    metadata: ${truncate(JSON.stringify(e.metadata))}`);
  }
  if (bad === 0) return;
  const shown = lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES), `  … ${lines.length - MAX_LINES} more lines`] : lines;
  throw new Error(`${bad} of ${events.length} events do not match their schemas in docs/schemas/ (see docs/events.md):\n${shown.join('\n')}`);
}

const truncate = (s: string, max = 300) => (s.length > max ? `${s.slice(0, max)}…` : s);
