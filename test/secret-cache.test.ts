import { describe, expect, it } from 'vitest';
import { cachedSecret } from '../lambda/secret-cache';

describe('cachedSecret', () => {
  it('reads once per max age, shares one request between concurrent readers, and does not keep a failure', async () => {
    let now = 0;
    const calls: string[] = [];
    let fail = false;
    const get = cachedSecret(
      async (id) => {
        calls.push(id);
        if (fail) throw new Error('AccessDenied');
        return `value-of-${id}-${calls.length}`;
      },
      300_000,
      () => now,
    );
    const [a, b] = await Promise.all([get('s'), get('s')]);
    expect(a).toBe('value-of-s-1');
    expect(b).toBe(a);
    now = 299_999;
    expect(await get('s')).toBe('value-of-s-1');
    expect(calls).toEqual(['s']);
    now = 300_000; // expired: read again
    expect(await get('s')).toBe('value-of-s-2');
    fail = true;
    now = 700_000;
    await expect(get('s')).rejects.toThrow('AccessDenied');
    fail = false;
    expect(await get('s')).toBe('value-of-s-4'); // the failure was not cached
    expect(await get('other')).toBe('value-of-other-5');
  });
});
