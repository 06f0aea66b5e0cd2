/**
 * A secret read at most once per `maxAgeMs` (the Slack webhook URL): every invocation of a warm function reuses it,
 * concurrent readers share one request, and a failed read is not kept (the next reader tries again). Pure apart from
 * the injected fetch and clock.
 *
 * It replaces the Powertools Parameters utility, which does the same around the same `GetSecretValue` call: that
 * package and its Powertools commons cost about 1.9 KB of the gzipped bundle (`npm run bench:cold`), whose budget is
 * 60 KB, and work at load time.
 */
export function cachedSecret(fetch: (id: string) => Promise<string>, maxAgeMs: number, now: () => number): (id: string) => Promise<string> {
  const cache = new Map<string, { value: Promise<string>; expiresAt: number }>();
  return (id) => {
    const hit = cache.get(id);
    if (hit && hit.expiresAt > now()) return hit.value;
    const value = fetch(id);
    cache.set(id, { value, expiresAt: now() + maxAgeMs });
    value.catch(() => {
      if (cache.get(id)?.value === value) cache.delete(id);
    });
    return value;
  };
}
