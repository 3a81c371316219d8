import { resolve } from 'node:path';

export type StorageMode = 'embedded' | 'eventstoredb';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface AppConfig {
  storage: StorageMode;
  port: number;
  host: string;
  dataDir: string;
  logLevel: LogLevel;
  eventStoreConnectionString: string | null;
  mongoUri: string | null;
  apiKeys: ApiKey[];
  limits: Limits;
  /** Closing deletion operations a crash cut off (see InterruptedDeletions). */
  deletionRecovery: { afterMs: number; intervalMs: number };
  /** Embedded mode: how long a statement waits for another process's write lock (then 503). */
  sqliteBusyTimeoutMs: number;
  /** How long SIGTERM waits for in-flight requests and the current purge step before exiting anyway. */
  shutdownTimeoutMs: number;
  purge: PurgeConfig;
}

/** Input limits; each answered with a clear 4xx naming the limit (see README, "Limits"). */
export interface Limits {
  /** JSON request bodies (413 above). */
  bodyMaxBytes: number;
  /** One blob upload (413 above). */
  blobMaxBytes: number;
  /** `ids` of one bulk delete (400 above). */
  bulkMaxIds: number;
  /** `limit` of a listing (400 above). */
  pageMaxLimit: number;
  /** Free-text fields: names, correlation ids, reasons, fault messages, search (400 above). */
  stringMaxLength: number;
  /** Requests per minute per API key (or per client address without keys); 0 turns it off (429 above). */
  rateLimitPerMinute: number;
}

export interface PurgeConfig {
  enabled: boolean;
  intervalMs: number;
  batchSize: number;
  concurrency: number;
  gracePeriodSeconds: number;
  maxAttempts: number;
  /** First retry delay after a failed attempt; doubles per attempt. */
  retryBaseMs: number;
  leaseTtlMs: number;
}

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export interface ApiKey {
  /** Recorded as the actor of what the key does. */
  name: string;
  role: Role;
  key: string;
}

/** Start-up stops with this one line when a setting is bad or missing. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return def;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], def: T): T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return def;
  if (!values.includes(raw as T)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
}

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const MIN_KEY_LENGTH = 16;

/**
 * `API_KEYS`: comma-separated `name:role:key`, role one of viewer, operator, admin; the name is the
 * actor recorded in events. Empty means no authentication, allowed on a loopback host only.
 */
function apiKeys(env: Env): ApiKey[] {
  const raw = env.API_KEYS?.trim();
  if (!raw) return [];
  const keys = raw.split(',').map((entry, i) => {
    const [name, role, ...rest] = entry.trim().split(':');
    const key = rest.join(':');
    const at = `API_KEYS entry ${i + 1}`;
    if (!name || !KEY_NAME.test(name)) throw new ConfigError(`${at} needs a name of letters, digits, '.', '_', '@' or '-' first (name:role:key)`);
    if (!ROLES.includes(role as Role)) throw new ConfigError(`${at} needs a role of ${ROLES.join(', ')}, got "${role ?? ''}" (name:role:key)`);
    if (key.length < MIN_KEY_LENGTH) throw new ConfigError(`${at} needs a key of at least ${MIN_KEY_LENGTH} characters (name:role:key)`);
    return { name, role: role as Role, key };
  });
  const names = new Set<string>();
  const secrets = new Set<string>();
  for (const k of keys) {
    if (names.has(k.name)) throw new ConfigError(`API_KEYS names a key "${k.name}" twice`);
    if (secrets.has(k.key)) throw new ConfigError(`API_KEYS has the same key under two names`);
    names.add(k.name);
    secrets.add(k.key);
  }
  return keys;
}

/** 127.0.0.0/8, ::1 and localhost; anything else is reachable from other machines. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

export function loadConfig(env: Env = process.env): AppConfig {
  const storage = oneOf(env, 'STORAGE', ['embedded', 'eventstoredb'] as const, 'embedded');
  const esdb = env.EVENTSTORE_CONNECTION_STRING?.trim() || null;
  const mongo = env.MONGODB_URI?.trim() || null;
  if (storage === 'eventstoredb') {
    if (!esdb) throw new ConfigError('EVENTSTORE_CONNECTION_STRING is required when STORAGE=eventstoredb');
    if (!/^esdb(\+discover)?:\/\//.test(esdb))
      throw new ConfigError('EVENTSTORE_CONNECTION_STRING must start with esdb:// or esdb+discover://');
    if (!mongo) throw new ConfigError('MONGODB_URI is required when STORAGE=eventstoredb');
    if (!/^mongodb(\+srv)?:\/\//.test(mongo)) throw new ConfigError('MONGODB_URI must start with mongodb:// or mongodb+srv://');
  }
  const host = env.HOST?.trim() || '127.0.0.1';
  const keys = apiKeys(env);
  if (keys.length === 0 && !isLoopback(host))
    throw new ConfigError(`API_KEYS is required when HOST is not a loopback address (HOST=${host}); without keys the service listens on 127.0.0.1 only`);
  return {
    storage,
    port: int(env, 'PORT', 3000, 0, 65535),
    host,
    dataDir: resolve(env.DATA_DIR?.trim() || './data'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    eventStoreConnectionString: esdb,
    mongoUri: mongo,
    apiKeys: keys,
    limits: {
      bodyMaxBytes: int(env, 'BODY_MAX_BYTES', 8 * 1024 * 1024, 1024, 256 * 1024 * 1024),
      blobMaxBytes: int(env, 'BLOB_MAX_BYTES', 10 * 1024 * 1024, 1, 1024 * 1024 * 1024),
      bulkMaxIds: int(env, 'BULK_MAX_IDS', 100_000, 1, 1_000_000),
      pageMaxLimit: int(env, 'PAGE_MAX_LIMIT', 1000, 1, 10_000),
      stringMaxLength: int(env, 'STRING_MAX_LENGTH', 2000, 16, 100_000),
      rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 6000, 0, 10_000_000),
    },
    deletionRecovery: {
      afterMs: int(env, 'DELETION_RECOVERY_AFTER_MS', 600_000, 0, 7 * 86_400_000),
      intervalMs: int(env, 'DELETION_RECOVERY_INTERVAL_MS', 60_000, 0, 86_400_000),
    },
    sqliteBusyTimeoutMs: int(env, 'SQLITE_BUSY_TIMEOUT_MS', 5000, 0, 60_000),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    purge: {
      enabled: bool(env, 'PURGE_ENABLED', true),
      intervalMs: int(env, 'PURGE_INTERVAL_MS', 10_000, 50, 86_400_000),
      batchSize: int(env, 'PURGE_BATCH_SIZE', 500, 1, 10_000),
      concurrency: int(env, 'PURGE_CONCURRENCY', 16, 1, 256),
      gracePeriodSeconds: int(env, 'PURGE_GRACE_PERIOD_SECONDS', 86_400, 0, 10 * 365 * 86_400),
      maxAttempts: int(env, 'PURGE_MAX_ATTEMPTS', 5, 1, 100),
      retryBaseMs: int(env, 'PURGE_RETRY_BASE_MS', 30_000, 0, 86_400_000),
      leaseTtlMs: int(env, 'PURGE_LEASE_TTL_MS', 30_000, 1_000, 3_600_000),
    },
  };
}
