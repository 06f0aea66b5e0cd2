/**
 * A small EventBridge event-pattern matcher, for testing synthesized rules against real events offline
 * (no npm package implements EventBridge matching on its own). It follows the documented semantics of the
 * EventBridge User Guide ("Creating event patterns", "Comparison operators", "Arrays in event patterns",
 * "Matching null values and empty strings") and of aws/event-ruler's README, which EventBridge is built on.
 *
 * Semantics:
 * - A pattern is an object. Every key must match (AND). A key's value is either a nested pattern object or a
 *   non-empty array of value matchers, any of which may match (OR).
 * - `$or: [p1, p2, ...]` (two or more objects) at any level: at least one alternative, applied to the same object,
 *   must match, in addition to the sibling keys.
 * - Nested objects descend into the event. When the event holds an ARRAY there (of objects, or of arrays of
 *   objects), the nested pattern matches if ONE element satisfies the whole nested pattern ("array-consistent",
 *   like event-ruler's rulesForJSONEvent: two fields may not be satisfied by different elements).
 * - Leaf values: a string, number, boolean or null in the event, or an array of them (the match needs any element to
 *   match: a non-empty intersection). An object (an intermediate node), a missing field and an array with no
 *   primitive elements are "absent".
 * - Value matchers:
 *   - a literal (string, number, boolean, null): equal and of the same JSON type (the number 137 never matches the
 *     string "137"; null and "" are different);
 *   - `{prefix: s}`, `{suffix: s}`: strings only; `{prefix|suffix: {equals-ignore-case: s}}`: same, case-insensitive;
 *   - `{equals-ignore-case: s}`: strings only;
 *   - `{wildcard: s}`: strings only, anchored; `*` matches any run of characters (also none); `\*` is a literal
 *     star, `\\` a literal backslash; any other escape and two consecutive `*` are syntax errors;
 *   - `{anything-but: x}`: a present value that the inner matcher does NOT match, where x is a literal, a list of
 *     literals, or `{prefix|suffix|equals-ignore-case|wildcard: s}` (`equals-ignore-case`/`wildcard` may be lists);
 *     with an array in the event, any element may satisfy it; it never matches an absent field;
 *   - `{numeric: [op, n]}` or `{numeric: [op, n, op, n]}` with op in `= < <= > >=`: JSON numbers only;
 *   - `{exists: true}` matches a present leaf, `{exists: false}` an absent one (an intermediate object counts as
 *     absent: "exists matching only works on leaf nodes");
 *   - `{cidr: "a.b.c.d/n"}`: IPv4 strings only (IPv6 is not implemented: it throws).
 * - Anything else in a pattern throws a PatternSyntaxError (EventBridge rejects such rules at PutRule).
 * Not modelled: EventBridge's limits (numeric range, pattern size, wildcard complexity) and `$or` used as a plain
 * field name.
 */

export class PatternSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternSyntaxError';
  }
}

type Primitive = string | number | boolean | null;
type PlainObject = Record<string, unknown>;

const ABSENT: unique symbol = Symbol('absent');

function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): value is Primitive {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** True when `event` matches `pattern`. Throws PatternSyntaxError for a pattern EventBridge would reject. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isPlainObject(pattern)) throw new PatternSyntaxError('an event pattern must be a JSON object');
  return matchObject(pattern, event, '');
}

function matchObject(pattern: PlainObject, value: unknown, path: string): boolean {
  const entries = Object.entries(pattern);
  if (entries.length === 0 && path !== '') throw new PatternSyntaxError(`${path}: empty nested pattern`);
  // Evaluate every key (not short-circuit) so that syntax errors surface whatever the event.
  let matched = true;
  for (const [key, sub] of entries) {
    const where = path ? `${path}.${key}` : key;
    let ok: boolean;
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2 || !sub.every(isPlainObject)) {
        throw new PatternSyntaxError(`${where}: must be an array of two or more pattern objects`);
      }
      ok = sub.map((alternative) => matchObject(alternative, value, where)).some(Boolean);
    } else {
      const fieldValue = isPlainObject(value) ? value[key] : undefined;
      if (Array.isArray(sub)) ok = matchLeaf(sub, fieldValue, where);
      else if (isPlainObject(sub)) ok = matchNested(sub, fieldValue, where);
      else throw new PatternSyntaxError(`${where}: must be an array of match values or a nested pattern object`);
    }
    matched = matched && ok;
  }
  return matched;
}

function flattenArray(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) ? flattenArray(v) : [v]));
}

function matchNested(pattern: PlainObject, value: unknown, path: string): boolean {
  if (!Array.isArray(value)) return matchObject(pattern, value, path);
  const elements = flattenArray(value).filter(isPlainObject);
  if (elements.length === 0) return matchObject(pattern, undefined, path);
  return elements.map((element) => matchObject(pattern, element, path)).some(Boolean);
}

function leafValues(value: unknown): Primitive[] | typeof ABSENT {
  if (value === undefined || isPlainObject(value)) return ABSENT;
  if (Array.isArray(value)) {
    const primitives = flattenArray(value).filter(isPrimitive);
    return primitives.length > 0 ? primitives : ABSENT;
  }
  return isPrimitive(value) ? [value] : ABSENT;
}

function matchLeaf(matchers: unknown[], value: unknown, path: string): boolean {
  if (matchers.length === 0) throw new PatternSyntaxError(`${path}: an empty array matches nothing`);
  const values = leafValues(value);
  let matched = false;
  for (const matcher of matchers) {
    const test = compileMatcher(matcher, path);
    const ok = values === ABSENT ? test.onAbsent : values.some(test.onValue);
    matched = matched || ok;
  }
  return matched;
}

interface CompiledMatcher {
  onValue: (v: Primitive) => boolean;
  onAbsent: boolean;
}

function expectString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new PatternSyntaxError(`${where}: expected a string`);
  return value;
}

function onlyKey(matcher: PlainObject, where: string): [string, unknown] {
  const entries = Object.entries(matcher);
  const [first] = entries;
  if (entries.length !== 1 || !first) throw new PatternSyntaxError(`${where}: a matcher object has exactly one key`);
  return first;
}

function sameLiteral(a: Primitive, b: Primitive): boolean {
  return typeof a === typeof b && a === b;
}

/** A string test for prefix / suffix, in the plain or the `{equals-ignore-case: s}` form. */
function affixTest(spec: unknown, where: string, test: (value: string, affix: string) => boolean): (v: Primitive) => boolean {
  if (isPlainObject(spec)) {
    const [key, inner] = onlyKey(spec, where);
    if (key !== 'equals-ignore-case') throw new PatternSyntaxError(`${where}: unknown option "${key}"`);
    const affix = expectString(inner, where).toLowerCase();
    return (v) => typeof v === 'string' && test(v.toLowerCase(), affix);
  }
  const affix = expectString(spec, where);
  return (v) => typeof v === 'string' && test(v, affix);
}

function ignoreCaseTest(spec: unknown, where: string): (v: Primitive) => boolean {
  const wanted = expectString(spec, where).toLowerCase();
  return (v) => typeof v === 'string' && v.toLowerCase() === wanted;
}

/** Compiles an EventBridge wildcard to an anchored RegExp. */
export function wildcardToRegExp(wildcard: string, where = 'wildcard'): RegExp {
  let source = '';
  let previousWasStar = false;
  for (let i = 0; i < wildcard.length; i++) {
    const ch = wildcard.charAt(i);
    if (ch === '\\') {
      const next = wildcard.charAt(i + 1);
      if (next !== '*' && next !== '\\') {
        throw new PatternSyntaxError(`${where}: "\\" may only escape "*" or "\\" in "${wildcard}"`);
      }
      source += `\\${next}`;
      i++;
      previousWasStar = false;
    } else if (ch === '*') {
      if (previousWasStar) throw new PatternSyntaxError(`${where}: consecutive wildcard characters in "${wildcard}"`);
      source += '.*';
      previousWasStar = true;
    } else {
      source += ch.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
      previousWasStar = false;
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function wildcardTest(spec: unknown, where: string): (v: Primitive) => boolean {
  const re = wildcardToRegExp(expectString(spec, where), where);
  return (v) => typeof v === 'string' && re.test(v);
}

const NUMERIC_OPS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numericTest(spec: unknown, where: string): (v: Primitive) => boolean {
  if (!Array.isArray(spec) || (spec.length !== 2 && spec.length !== 4)) {
    throw new PatternSyntaxError(`${where}: numeric takes [op, n] or [op, n, op, n]`);
  }
  const checks: ((v: number) => boolean)[] = [];
  for (let i = 0; i < spec.length; i += 2) {
    const op: unknown = spec[i];
    const bound: unknown = spec[i + 1];
    const compare = typeof op === 'string' ? NUMERIC_OPS[op] : undefined;
    if (!compare || typeof bound !== 'number') throw new PatternSyntaxError(`${where}: bad numeric comparison`);
    checks.push((v) => compare(v, bound));
  }
  return (v) => typeof v === 'number' && checks.every((check) => check(v));
}

function ipv4ToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    n = n * 256 + Number(part);
  }
  return n;
}

function cidrTest(spec: unknown, where: string): (v: Primitive) => boolean {
  const [network, bitsText] = expectString(spec, where).split('/');
  const base = network === undefined ? null : ipv4ToInt(network);
  const bits = Number(bitsText);
  if (base === null || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    throw new PatternSyntaxError(`${where}: only IPv4 CIDR blocks are implemented, got "${String(spec)}"`);
  }
  const size = 2 ** (32 - bits);
  const start = Math.floor(base / size) * size;
  return (v) => {
    if (typeof v !== 'string') return false;
    const ip = ipv4ToInt(v);
    return ip !== null && ip >= start && ip < start + size;
  };
}

function anythingButTest(spec: unknown, where: string): (v: Primitive) => boolean {
  let excluded: (v: Primitive) => boolean;
  if (Array.isArray(spec)) {
    if (spec.length === 0 || !spec.every(isPrimitive)) throw new PatternSyntaxError(`${where}: bad anything-but list`);
    excluded = (v) => spec.some((x) => sameLiteral(x, v));
  } else if (isPlainObject(spec)) {
    const [key, inner] = onlyKey(spec, where);
    const list = (inner: unknown, one: (s: unknown) => (v: Primitive) => boolean): ((v: Primitive) => boolean) => {
      const tests = (Array.isArray(inner) ? inner : [inner]).map(one);
      return (v) => tests.some((t) => t(v));
    };
    switch (key) {
      case 'prefix':
        excluded = affixTest(inner, `${where}.prefix`, (s, a) => s.startsWith(a));
        break;
      case 'suffix':
        excluded = affixTest(inner, `${where}.suffix`, (s, a) => s.endsWith(a));
        break;
      case 'equals-ignore-case':
        excluded = list(inner, (s) => ignoreCaseTest(s, `${where}.equals-ignore-case`));
        break;
      case 'wildcard':
        excluded = list(inner, (s) => wildcardTest(s, `${where}.wildcard`));
        break;
      default:
        throw new PatternSyntaxError(`${where}: anything-but does not support "${key}"`);
    }
  } else if (isPrimitive(spec)) {
    excluded = (v) => sameLiteral(spec, v);
  } else {
    throw new PatternSyntaxError(`${where}: bad anything-but value`);
  }
  return (v) => !excluded(v);
}

function compileMatcher(matcher: unknown, path: string): CompiledMatcher {
  if (isPrimitive(matcher)) return { onValue: (v) => sameLiteral(matcher, v), onAbsent: false };
  if (!isPlainObject(matcher)) throw new PatternSyntaxError(`${path}: a match value must be a literal or an object`);
  const [op, spec] = onlyKey(matcher, path);
  const where = `${path}.${op}`;
  switch (op) {
    case 'exists':
      if (typeof spec !== 'boolean') throw new PatternSyntaxError(`${where}: exists takes true or false`);
      return { onValue: () => spec, onAbsent: !spec };
    case 'prefix':
      return { onValue: affixTest(spec, where, (s, a) => s.startsWith(a)), onAbsent: false };
    case 'suffix':
      return { onValue: affixTest(spec, where, (s, a) => s.endsWith(a)), onAbsent: false };
    case 'equals-ignore-case':
      return { onValue: ignoreCaseTest(spec, where), onAbsent: false };
    case 'wildcard':
      return { onValue: wildcardTest(spec, where), onAbsent: false };
    case 'anything-but':
      return { onValue: anythingButTest(spec, where), onAbsent: false };
    case 'numeric':
      return { onValue: numericTest(spec, where), onAbsent: false };
    case 'cidr':
      return { onValue: cidrTest(spec, where), onAbsent: false };
    default:
      throw new PatternSyntaxError(`${path}: unknown comparison operator "${op}"`);
  }
}
