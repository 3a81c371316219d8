import { ConfigError, isLoopback, loadConfig } from './app.config';

const KEY = 'k'.repeat(16);

describe('loadConfig', () => {
  it('reads API_KEYS as name:role:key, keeping colons inside the key', () => {
    const c = loadConfig({ API_KEYS: `alice:viewer:${KEY}, ops:operator:${KEY}:x:y,root:admin:${'r'.repeat(20)}` });
    expect(c.apiKeys).toEqual([
      { name: 'alice', role: 'viewer', key: KEY },
      { name: 'ops', role: 'operator', key: `${KEY}:x:y` },
      { name: 'root', role: 'admin', key: 'r'.repeat(20) },
    ]);
  });

  it.each([
    [`alice:reader:${KEY}`, /entry 1 needs a role of viewer, operator, admin, got "reader"/],
    [`alice:viewer:short`, /entry 1 needs a key of at least 16 characters/],
    [`:viewer:${KEY}`, /entry 1 needs a name/],
    [`a:viewer:${KEY},a:admin:${'z'.repeat(16)}`, /names a key "a" twice/],
    [`a:viewer:${KEY},b:admin:${KEY}`, /same key under two names/],
  ])('refuses API_KEYS=%s with one line naming the problem', (value, message) => {
    expect(() => loadConfig({ API_KEYS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ API_KEYS: value })).toThrow(message);
  });

  it('refuses to listen beyond loopback without API_KEYS, and allows it with keys', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow('API_KEYS is required when HOST is not a loopback address (HOST=0.0.0.0)');
    expect(loadConfig({ HOST: '0.0.0.0', API_KEYS: `a:admin:${KEY}` }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '127.0.0.1' }).apiKeys).toEqual([]);
  });

  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com']) expect(isLoopback(h)).toBe(false);
  });

  it('reads the limits with defaults and names a bad one', () => {
    const c = loadConfig({ BULK_MAX_IDS: '50', RATE_LIMIT_PER_MINUTE: '0' });
    expect(c.limits).toEqual({
      bodyMaxBytes: 8 * 1024 * 1024,
      blobMaxBytes: 10 * 1024 * 1024,
      bulkMaxIds: 50,
      pageMaxLimit: 1000,
      stringMaxLength: 2000,
      rateLimitPerMinute: 0,
    });
    expect(() => loadConfig({ PAGE_MAX_LIMIT: 'many' })).toThrow('PAGE_MAX_LIMIT must be an integer, got "many"');
    expect(() => loadConfig({ STRING_MAX_LENGTH: '3' })).toThrow('STRING_MAX_LENGTH must be between 16 and 100000, got 3');
  });
});
