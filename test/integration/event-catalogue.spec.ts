import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { SCHEMA_VERSION } from '../../src/shared/event-sourcing/handle-command';
import { definitionStream, deletionOperationStream, hardDeleteBatchStream, instanceStream } from '../../src/shared/event-sourcing/streams';
import { METADATA_SCHEMA, SCHEMA_DIR, eventViolations, readSchema, schemaTypes } from '../support/event-schemas';

/**
 * The event catalogue (docs/events.md, docs/schemas/) checked against the code. The event types
 * and their fields are read from the TypeScript types with the compiler API, so adding an event
 * type or a field without documenting it fails here.
 */

const ROOT = join(__dirname, '..', '..');
const ALL_EVENTS = join(ROOT, 'src', 'shared', 'event-sourcing', 'all-events.ts');
const EVENT_TS = join(ROOT, 'src', 'shared', 'event-sourcing', 'event.ts');
const CATALOGUE = join(ROOT, 'docs', 'events.md');

/** JSON types a TypeScript type can take; `any` for `unknown`/`any` (any JSON value). */
type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object' | 'any';

interface Field {
  name: string;
  optional: boolean;
  types: JsonType[];
}

interface EventType {
  type: string;
  fields: Field[];
  /** The `*.events.ts` file that declares the data shape. */
  file: string;
}

/** Stream of each events file: every event declared in a module's events file lives in one stream category. */
const STREAM_OF_EVENTS_FILE: Record<string, string> = {
  'definition.events.ts': definitionStream('{'),
  'instance.events.ts': instanceStream('{'),
  'deletion.events.ts': deletionOperationStream('{'),
  'purge.events.ts': hardDeleteBatchStream('{'),
};

function loadProgram(): ts.Program {
  const configPath = ts.findConfigFile(ROOT, ts.sys.fileExists, 'tsconfig.json');
  if (!configPath) throw new Error('tsconfig.json not found');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  // The project's compiler options; only the files the event types need are loaded.
  return ts.createProgram({ rootNames: [ALL_EVENTS, EVENT_TS], options: parsed.options });
}

function declaration(program: ts.Program, file: string, name: string): ts.DeclarationStatement {
  const sf = program.getSourceFile(file);
  if (!sf) throw new Error(`${file} is not in the program`);
  const found = sf.statements.find(
    (s): s is ts.TypeAliasDeclaration | ts.InterfaceDeclaration =>
      (ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s)) && s.name.text === name,
  );
  if (!found) throw new Error(`${name} is not declared in ${file}`);
  return found;
}

function jsonTypes(checker: ts.TypeChecker, t: ts.Type): JsonType[] {
  if (t.isUnion()) return [...new Set(t.types.flatMap((u) => jsonTypes(checker, u)))];
  const f = t.flags;
  if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return ['any'];
  if (f & ts.TypeFlags.StringLike) return ['string'];
  if (f & ts.TypeFlags.NumberLike) return ['number'];
  if (f & ts.TypeFlags.BooleanLike) return ['boolean'];
  if (f & ts.TypeFlags.Null) return ['null'];
  if (f & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return []; // optional: absent, not a JSON value
  if (checker.isArrayType(t)) return ['array'];
  if (f & ts.TypeFlags.Object) return ['object'];
  throw new Error(`no JSON type for TypeScript type ${checker.typeToString(t)}`);
}

function fieldsOf(checker: ts.TypeChecker, t: ts.Type, at: ts.Node): Field[] {
  return checker.getPropertiesOfType(t).map((p) => ({
    name: p.getName(),
    optional: (p.flags & ts.SymbolFlags.Optional) !== 0,
    types: jsonTypes(checker, checker.getTypeOfSymbolAtLocation(p, at)).sort(),
  }));
}

/** Every member of `ServiceEvent`: its literal `type`, the fields of its `data`, and where they are declared. */
function eventTypesFromCode(): { events: EventType[]; metadata: Field[] } {
  const program = loadProgram();
  const checker = program.getTypeChecker();
  const union = declaration(program, ALL_EVENTS, 'ServiceEvent');
  const unionType = checker.getTypeAtLocation(union.name!);
  const members = unionType.isUnion() ? unionType.types : [unionType];
  const events = members.map((m) => {
    const typeProp = m.getProperty('type');
    const dataProp = m.getProperty('data');
    if (!typeProp || !dataProp) throw new Error(`ServiceEvent member ${checker.typeToString(m)} has no type or data`);
    const literal = checker.getTypeOfSymbolAtLocation(typeProp, union);
    if (!literal.isStringLiteral()) throw new Error(`ServiceEvent member ${checker.typeToString(m)} has no literal type name`);
    const data = checker.getTypeOfSymbolAtLocation(dataProp, union);
    const decl = data.getSymbol()?.declarations?.[0];
    return { type: literal.value, fields: fieldsOf(checker, data, union), file: decl ? basename(decl.getSourceFile().fileName) : '?' };
  });
  const metaDecl = declaration(program, EVENT_TS, 'EventMetadata');
  const metadata = fieldsOf(checker, checker.getTypeAtLocation(metaDecl.name!), metaDecl);
  return { events, metadata };
}

/** JSON types a schema property allows (`integer` counts as number; no `type` = any JSON value). */
function schemaJsonTypes(prop: Record<string, any>): JsonType[] {
  if (prop.type === undefined) return ['any'];
  const types: string[] = Array.isArray(prop.type) ? prop.type : [prop.type];
  return [...new Set(types.map((t) => (t === 'integer' ? 'number' : t) as JsonType))].sort();
}

interface Section {
  heading: string;
  level: number;
  body: string;
}

/** Markdown sections: each heading with the text up to the next heading of the same or a higher level. */
function sections(markdown: string): Section[] {
  const lines = markdown.split('\n');
  const out: Section[] = [];
  let inFence = false;
  const heads: { i: number; level: number; heading: string }[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith('```')) inFence = !inFence;
    const m = !inFence && /^(#{1,6})\s+(.*?)\s*$/.exec(line);
    if (m) heads.push({ i, level: m[1].length, heading: m[2].replace(/`/g, '').trim() });
  });
  heads.forEach((h, k) => {
    const next = heads.slice(k + 1).find((n) => n.level <= h.level);
    out.push({ heading: h.heading, level: h.level, body: lines.slice(h.i + 1, next ? next.i : lines.length).join('\n') });
  });
  return out;
}

const jsonBlocks = (body: string) => [...body.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);

const { events, metadata } = eventTypesFromCode();
const markdown = readFileSync(CATALOGUE, 'utf8');
const docSections = sections(markdown);
const sectionOf = (title: string) => docSections.find((s) => s.heading === title);
const mentions = (body: string, name: string) => body.includes(`\`${name}\``);

describe('event catalogue (docs/events.md and docs/schemas/) matches the code', () => {
  it('finds the event types in the code', () => {
    // A sanity floor: the compiler-API walk found the union and its members.
    expect(events.length).toBeGreaterThanOrEqual(19);
    expect(new Set(events.map((e) => e.type)).size).toBe(events.length);
    for (const e of events) expect(e.fields.length).toBeGreaterThan(0);
  });

  it('has no schema for a type that is not in the ServiceEvent union', () => {
    const known = new Set(events.map((e) => e.type));
    expect(schemaTypes().filter((t) => !known.has(t))).toEqual([]);
  });

  it('has no event section in docs/events.md for a type that is not in the union', () => {
    const known = new Set(events.map((e) => e.type));
    const eventsPart = sectionOf('Event types');
    expect(eventsPart).toBeDefined();
    const headings = sections(eventsPart!.body).filter((s) => s.level === 3).map((s) => s.heading);
    expect(headings.filter((h) => !known.has(h))).toEqual([]);
  });

  it('documents the metadata: metadata.json and the Metadata section cover every EventMetadata field', () => {
    const schema = readSchema(METADATA_SCHEMA);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(metadata.map((f) => f.name).sort());
    expect([...schema.required].sort()).toEqual(metadata.filter((f) => !f.optional).map((f) => f.name).sort());
    for (const f of metadata) {
      expect({ field: f.name, types: schemaJsonTypes(schema.properties[f.name]) }).toEqual({ field: f.name, types: f.types });
      expect({ field: f.name, description: typeof schema.properties[f.name].description }).toEqual({ field: f.name, description: 'string' });
    }
    const section = sectionOf('Metadata');
    expect(section).toBeDefined();
    expect(metadata.map((f) => f.name).filter((n) => !mentions(section!.body, n))).toEqual([]);
    // The current schema version is stated.
    expect(section!.body).toContain(`Currently \`${SCHEMA_VERSION}\``);
  });

  describe.each(events.map((e) => [e.type, e] as const))('%s', (type, event) => {
    const file = join(SCHEMA_DIR, `${type}.json`);

    it(`has docs/schemas/${type}.json with exactly the fields of its data`, () => {
      expect(existsSync(file)).toBe(true);
      const schema = readSchema(type);
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.title).toBe(type);
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
      expect(typeof schema.description).toBe('string');
      // Properties == data fields; required == non-optional fields.
      expect(Object.keys(schema.properties).sort()).toEqual(event.fields.map((f) => f.name).sort());
      expect([...(schema.required ?? [])].sort()).toEqual(event.fields.filter((f) => !f.optional).map((f) => f.name).sort());
      for (const f of event.fields) {
        const prop = schema.properties[f.name];
        // JSON types agree with the TypeScript type (a string that became string | null, a number that became a string …).
        expect({ field: f.name, types: schemaJsonTypes(prop) }).toEqual({ field: f.name, types: f.types });
        expect({ field: f.name, description: typeof prop.description }).toEqual({ field: f.name, description: 'string' });
      }
    });

    it('has a section in docs/events.md naming its stream and every field', () => {
      const section = sectionOf(type);
      expect(section).toBeDefined();
      const missing = event.fields.map((f) => f.name).filter((n) => !mentions(section!.body, n));
      expect(missing).toEqual([]);
      const stream = STREAM_OF_EVENTS_FILE[event.file];
      expect({ file: event.file, stream }).toEqual({ file: event.file, stream: expect.any(String) });
      expect(section!.body).toContain(`\`${stream}`);
      expect(section!.body).toContain(`schemas/${type}.json`);
    });

    it('has an example in its section that matches its schema, its stream and the current schema version', () => {
      const blocks = jsonBlocks(sectionOf(type)?.body ?? '');
      expect(blocks).toHaveLength(1);
      const example = JSON.parse(blocks[0]);
      expect(example.type).toBe(type);
      expect(String(example.streamId).startsWith(STREAM_OF_EVENTS_FILE[event.file].slice(0, -1))).toBe(true);
      expect(Number.isInteger(example.revision) && Number.isInteger(example.position)).toBe(true);
      expect(example.metadata?.schemaVersion).toBe(SCHEMA_VERSION);
      expect(eventViolations(example)).toEqual([]);
      // The example shows every field, optional ones included.
      expect(Object.keys(example.data).sort()).toEqual(event.fields.map((f) => f.name).sort());
    });
  });
});
