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
  blobMaxBytes: number;
  purge: PurgeConfig;
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

export type Role = 'admin' | 'operator' | 'reader';
export interface ApiKey {
  key: string;
  role: Role;
  principal: string;
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

/**
 * `API_KEYS`: comma-separated `key:role[:principal]`, role one of admin, operator, reader. Empty
 * means no authentication (every caller is `anonymous` with the admin role) — for local use.
 */
function apiKeys(env: Env): ApiKey[] {
  const raw = env.API_KEYS?.trim();
  if (!raw) return [];
  return raw.split(',').map((entry, i) => {
    const [key, role, principal] = entry.trim().split(':');
    if (!key || key.length < 8) throw new ConfigError(`API_KEYS entry ${i + 1} needs a key of at least 8 characters`);
    if (!['admin', 'operator', 'reader'].includes(role))
      throw new ConfigError(`API_KEYS entry ${i + 1} needs a role of admin, operator or reader, got "${role ?? ''}"`);
    return { key, role: role as Role, principal: principal || `key:${key.slice(0, 4)}` };
  });
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
  return {
    storage,
    port: int(env, 'PORT', 3000, 0, 65535),
    host,
    dataDir: resolve(env.DATA_DIR?.trim() || './data'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    eventStoreConnectionString: esdb,
    mongoUri: mongo,
    apiKeys: apiKeys(env),
    blobMaxBytes: int(env, 'BLOB_MAX_BYTES', 10 * 1024 * 1024, 1, 1024 * 1024 * 1024),
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
