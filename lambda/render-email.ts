/**
 * Email (SNS) rendering: an ASCII subject, a readable plain-text body with the full snippets and links, and the
 * SNS `MessageStructure: json` message that gives email subscribers the text and programmatic subscribers
 * (sqs, lambda, http/https, firehose, email-json) a documented JSON payload. Pure.
 *
 * SNS rules (Publish API reference): Subject ASCII, starts with a letter, number or punctuation mark, no line
 * breaks or control characters, < 100 characters. With MessageStructure json, Message is a JSON object with a
 * string `default` and optional per-protocol string values (http, https, email, email-json, sms, sqs,
 * application, lambda, firehose); other keys and non-string values are ignored. Message <= 256 KB (UTF-8).
 */
import { alertContentFor, contextFacts, limitChange, type AlertContent, type RenderOptions } from './alert-content';
import type { AlertStory } from './alert-story';
import type { MemorySeries, TriageResult } from './model';

export const SUBJECT_MAX = 99;
/** SNS's limit is 256 KiB for the message; keep a little room for the request's other fields. */
export const SNS_MESSAGE_MAX_BYTES = 256 * 1024 - 1024;
export const PAYLOAD_SCHEMA = 'oom-responder/triage@1';

/** Environment variables whose values are heap settings, safe and useful to keep in the payload. */
const KEEP_ENV = new Set(['JAVA_OPTS', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'NODE_OPTIONS', 'PYTHONMALLOC']);
export const REDACTED = '(redacted)';

export type { RenderOptions } from './alert-content';

export interface SnsProgrammaticPayload {
  schema: typeof PAYLOAD_SCHEMA;
  result: TriageResult;
  story: AlertStory | null;
  /** True when the payload was shrunk to fit SNS's 256 KB (task definition dropped, long lists cut). */
  shrunk?: boolean;
}

export interface SnsMessage {
  Subject: string;
  Message: string;
  MessageStructure: 'json';
}

const content = alertContentFor;

const ASCII_MAP: Record<string, string> = {
  '‘': "'", '’': "'", '‚': "'", '“': '"', '”': '"', '„': '"', '–': '-', '—': '-', '−': '-', '…': '...', '→': '->',
  '×': 'x', '·': '-', 'ß': 'ss', 'æ': 'ae', 'Æ': 'AE', 'ø': 'o', 'Ø': 'O', 'œ': 'oe', 'Œ': 'OE', 'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', 'þ': 'th', 'ð': 'd',
};

/** Printable ASCII only: transliterate what has an ASCII form, turn whitespace/controls into spaces, drop the rest. */
export function toPrintableAscii(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFKD')) {
    if (/\p{M}/u.test(ch)) continue;
    const mapped = ASCII_MAP[ch];
    if (mapped !== undefined) out += mapped;
    else if (/\s|\p{Cc}|\p{Cf}/u.test(ch)) out += ' ';
    else if (ch >= ' ' && ch <= '~') out += ch;
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

export function renderEmailSubject(result: TriageResult, story?: AlertStory | null): string {
  const c = content(result, { series: null, story: story ?? null });
  let s = toPrintableAscii(c.title);
  // Must begin with a letter, number or punctuation mark.
  s = s.replace(/^[^A-Za-z0-9!"#%&'()*,\-./:;?@[\\\]_{}]+/, '');
  if (!s) s = 'OOM responder alert';
  if (s.length > SUBJECT_MAX) s = `${s.slice(0, SUBJECT_MAX - 3).trimEnd()}...`;
  return s;
}

function heading(title: string, ch = '='): string {
  return `${title}\n${ch.repeat(Math.min(78, Math.max(3, title.length)))}`;
}

function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

function bullets(items: string[]): string {
  return items.map((i) => `  - ${i.replace(/\s*\n\s*/g, ' ')}`).join('\n');
}

export function renderEmailBodyFromContent(c: AlertContent): string {
  const out: string[] = [];
  out.push(heading(c.title.replace(/\s+/g, ' ')), '');
  out.push(c.summary);
  if (c.storyLine) out.push(c.storyLine);
  out.push('');

  const labelWidth = Math.max(...c.facts.map((f) => f.label.length), ...c.limits.map((l) => l.label.length)) + 2;
  for (const f of c.facts) out.push(`${`${f.label}:`.padEnd(labelWidth)} ${f.value.replace(/\s*\n\s*/g, ' ')}`);
  out.push('');
  const shown = c.limits.filter((l) => l.current !== null || l.recommended !== null);
  if (shown.length) {
    out.push(heading(c.kind === 'sigkill' || shown.every((l) => l.recommended === null) ? 'Limits' : 'Limits: current -> recommended', '-'));
    for (const l of shown) out.push(`${`${l.label}:`.padEnd(labelWidth)} ${limitChange(l).replace('→', '->')}`);
    out.push('');
  }

  out.push(heading(`Memory, last ${c.lookbackHours} h`, '-'));
  out.push(c.sparkline.line ? indent(c.sparkline.text) : c.sparkline.text);
  if (c.graphUrl) out.push(`Graph (link expires): ${c.graphUrl}`);
  out.push('');

  if (c.leakWarning) out.push(`LEAK: ${c.leakWarning}`, '');
  if (c.sigkillCause) out.push(`NOT A MEMORY PROBLEM: ${c.sigkillCause}`, '');
  if (c.staleNote) out.push(`STALE REVISION: ${c.staleNote}`, '');

  if (c.fix) {
    out.push(heading('The fix', '-'), '');
    out.push('1. Task definition fragment (containerDefinitions / task size):', '', indent(c.fix.json), '');
    out.push('2. AWS CLI:', '', indent(c.fix.cli), '');
    out.push('3. CDK:', '', indent(c.fix.cdk), '');
    if (c.fix.runtimeFlag) out.push(`4. Runtime: ${c.fix.runtimeFlag}`, '');
  }
  const lists: Array<[string, string[]]> = [
    ['Runtime', c.runtimeLines],
    ['Why', c.reasons],
    ['Dead ends', c.deadEnds],
    ['Warnings', c.warnings],
    ['Suggestions', c.suggestions],
  ];
  for (const [title, items] of lists) {
    if (items.length) out.push(heading(title, '-'), bullets(items), '');
  }
  if (c.links.length) {
    out.push(heading('Links', '-'));
    for (const l of c.links) out.push(`  ${l.label}: ${l.url}`);
    out.push('');
  }
  const ctx = contextFacts(c, 'version ');
  out.push('--', ctx.join(' | '), `thread ${c.threadId}`);
  return out.join('\n');
}

export function renderEmailBody(result: TriageResult, options: RenderOptions): string {
  return renderEmailBodyFromContent(content(result, options));
}

/** The result without secrets: environment values other than heap settings are replaced. */
/**
 * A token of a heap-settings variable or a command that cannot hold a secret: a JVM `-X…` option (`-Xmx2g`,
 * `-XX:+UseG1GC`, `-XX:MaxRAMPercentage=75.0`), a long flag with no value (`--enable-source-maps`), a Node memory
 * flag with a number (`--max-old-space-size=768`), or one of a few bare JVM switches (`-jar`, `-server`). Anything
 * else may hold one: `-Dkey=value` properties, `-pSecret`-style attached values, `--pin=1234`, paths.
 */
function safeToken(token: string): boolean {
  // -Xmx2g, -Xss1m; -XX:+UseG1GC; -XX:MaxRAMPercentage=75.0 (numeric values only: a path or word may be a secret)
  const jvmOption = /^-X(m[sxn]|ss)\d+[kKmMgGtT]?$|^-XX:[+-]?[A-Za-z]\w*$|^-XX:[A-Za-z]\w*=\d+(\.\d+)?[kKmMgGtT%]?$/.test(token);
  const longFlag = /^--[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(token);
  const nodeMemory = /^--(max[-_]old[-_]space[-_]size|max[-_]semi[-_]space[-_]size|stack[-_]size|heapsnapshot[-_]near[-_]heap[-_]limit)=\d+$/.test(token);
  const jvmSwitch = /^-(jar|server|client|ea|da|esa|dsa|version|showversion)$/.test(token);
  return jvmOption || longFlag || nodeMemory || jvmSwitch;
}

/** A first token that names a program (a launcher, or an absolute path to one), not an argument. */
const PROGRAM = /^(\/[\w.+-]+)+$|^(java|node|nodejs|npm|npx|yarn|pnpm|python[\d.]*|sh|bash|dash|ash|exec|catalina\.sh|gunicorn|uvicorn|dotnet|ruby|bundle|php|deno|bun|env)$/;

/** Keep the tokens that cannot hold a secret; every run of others becomes one `(redacted)`. */
export function redactOptions(value: string, keepFirst = false): string {
  const out: string[] = [];
  value
    .split(/\s+/)
    .filter((t) => t !== '')
    .forEach((t, i) => {
      const keep = safeToken(t) || (keepFirst && i === 0 && PROGRAM.test(t));
      if (keep) out.push(t);
      else if (out[out.length - 1] !== REDACTED) out.push(REDACTED);
    });
  return out.join(' ');
}

const redactEnv = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, KEEP_ENV.has(k) ? redactOptions(v) : REDACTED]));
/** Log driver options that name where logs go, not how to authenticate; any other value (an API key, a token) is redacted. */
const KEEP_LOG_OPTIONS = new Set(['awslogs-group', 'awslogs-region', 'awslogs-stream-prefix', 'awslogs-create-group', 'mode', 'max-buffer-size', 'Name', 'region', 'log_group_name', 'log_stream_prefix', 'log_stream_name', 'auto_create_group', 'delivery_stream', 'stream', 'Host', 'host', 'TLS', 'tls', 'dd_service', 'dd_source', 'dd_tags', 'provider']);
const redactLogOptions = (options: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(options).map(([k, v]) => [k, KEEP_LOG_OPTIONS.has(k) ? v : REDACTED]));
const redactArgs = (args: string[]): string[] => (args.length === 0 ? args : redactOptions(args.join(' '), true).split(' '));

/**
 * The result as the machine-readable SNS copies carry it: environment values (except the heap settings' safe tokens),
 * commands and entry points of the task definition and of the task's overrides are redacted.
 */
export function redactResult(result: TriageResult): TriageResult {
  const overrides = result.task.overrides;
  return {
    ...result,
    task: overrides
      ? { ...result.task, overrides: { ...overrides, containers: overrides.containers.map((c) => ({ ...c, environment: redactEnv(c.environment), command: c.command ? redactArgs(c.command) : null })) } }
      : result.task,
    taskDefinition: result.taskDefinition
      ? {
          ...result.taskDefinition,
          containers: result.taskDefinition.containers.map((c) => ({
            ...c,
            environment: redactEnv(c.environment),
            command: redactArgs(c.command),
            entryPoint: redactArgs(c.entryPoint),
            logConfiguration: c.logConfiguration ? { ...c.logConfiguration, options: redactLogOptions(c.logConfiguration.options) } : null,
          })),
        }
      : null,
  };
}

function cutList(list: string[], n: number, len: number): string[] {
  return list.slice(0, n).map((s) => (s.length > len ? `${s.slice(0, len)}...` : s));
}

function shrinkResult(r: TriageResult): TriageResult {
  const n = 10;
  const len = 500;
  return {
    ...r,
    taskDefinition: null,
    classification: { ...r.classification, notes: cutList(r.classification.notes, n, len) },
    analysis: { ...r.analysis, reasons: cutList(r.analysis.reasons, n, len) },
    runtime: r.runtime ? { ...r.runtime, problems: cutList(r.runtime.problems, n, len) } : null,
    recommendation: r.recommendation
      ? { ...r.recommendation, reasons: cutList(r.recommendation.reasons, n, len), deadEnds: cutList(r.recommendation.deadEnds, n, len) }
      : null,
    suggestions: cutList(r.suggestions, n, len),
    warnings: cutList(r.warnings, n, len),
  };
}

function snsMessageJson(body: string, sms: string, payload: string): string {
  return JSON.stringify({
    default: body,
    email: body,
    sms,
    'email-json': payload,
    sqs: payload,
    lambda: payload,
    http: payload,
    https: payload,
    firehose: payload,
  });
}

export function renderSnsMessage(result: TriageResult, options: RenderOptions): SnsMessage {
  const c = content(result, options);
  const Subject = renderEmailSubject(result, options.story ?? null);
  const story = options.story ?? null;
  const safe = redactResult(result);
  const sms = toPrintableAscii(c.title).slice(0, 140);
  const full = renderEmailBodyFromContent(c);
  let body = full;

  const payloads = [
    JSON.stringify({ schema: PAYLOAD_SCHEMA, result: safe, story } satisfies SnsProgrammaticPayload),
    JSON.stringify({ schema: PAYLOAD_SCHEMA, result: shrinkResult(safe), story, shrunk: true } satisfies SnsProgrammaticPayload),
  ];
  for (const payload of payloads) {
    const message = snsMessageJson(body, sms, payload);
    if (Buffer.byteLength(message, 'utf8') <= SNS_MESSAGE_MAX_BYTES) return { Subject, Message: message, MessageStructure: 'json' };
  }
  // Still too big: cut the text body (kept twice: default and email) at a line boundary. Binary search on the
  // kept length: the byte size of the message grows monotonically with it.
  const payload = payloads[1]!;
  const note = '\n\n... (truncated to fit SNS 256 KB; run `npm run triage` for the full report)';
  const cutBody = (keep: number): string => {
    const cut = full.slice(0, keep);
    const atLine = cut.lastIndexOf('\n');
    return `${atLine > 0 ? cut.slice(0, atLine) : cut}${note}`;
  };
  let lo = 0;
  let hi = full.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(snsMessageJson(cutBody(mid), sms, payload), 'utf8') <= SNS_MESSAGE_MAX_BYTES) lo = mid;
    else hi = mid - 1;
  }
  body = cutBody(lo);
  const message = snsMessageJson(body, sms, payload);
  return { Subject, Message: message, MessageStructure: 'json' };
}
