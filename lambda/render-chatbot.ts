/**
 * Amazon Q Developer in chat applications (formerly AWS Chatbot) custom notification, published as the raw
 * SNS message to a topic the chat channel subscribes to. Pure.
 *
 * Schema (docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html):
 *   { version: "1.0", source: "custom", id?, content: { textType: "client-markdown", title, description,
 *     nextSteps[], keywords[] }, metadata: { threadId, summary, eventType, relatedResources[],
 *     additionalContext: { key: string } } }
 * A payload that does not match is dropped silently (only a metric counts it), so the shape is exact and every
 * additionalContext value is a string. threadId is per story (cluster/service/container), never the event id.
 */
import { alertContentFor, limitChange, type AlertContent } from './alert-content';
import type { AlertStory } from './alert-story';
import type { MemorySeries, TriageResult } from './model';

export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id?: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps: string[];
    keywords: string[];
  };
  metadata: {
    threadId: string;
    summary: string;
    eventType: string;
    relatedResources: string[];
    additionalContext: Record<string, string>;
  };
}

/** Conservative caps: chat clients cut long messages anyway; the full detail is in the email. */
export const CHATBOT_LIMITS = { title: 250, description: 3500, nextStep: 500, nextSteps: 8, keywords: 8, summary: 250, contextValue: 1000 } as const;

function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const chars = Array.from(s);
  let out = '';
  for (const ch of chars) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out.trimEnd()}…`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Markdown inline code that survives backticks in names. */
function code(s: string): string {
  return '`' + oneLine(s).replace(/`/g, "'") + '`';
}

function description(c: AlertContent): string {
  const lines: string[] = [c.summary];
  if (c.storyLine) lines.push(c.storyLine);
  lines.push('');
  const changes = c.limits.filter((l) => l.current !== null || l.recommended !== null).map((l) => `${l.label}: ${limitChange(l)}`);
  if (changes.length) lines.push(`*Limits:* ${changes.join(' · ')}`);
  lines.push(`*Pattern:* ${c.facts.find((f) => f.label === 'Pattern')?.value ?? 'unknown'}`);
  if (c.sparkline.line) lines.push('```', c.sparkline.text, '```');
  else lines.push(c.sparkline.text);
  if (c.leakWarning) lines.push(`:warning: ${c.leakWarning}`);
  if (c.sigkillCause) lines.push(c.sigkillCause);
  if (c.staleNote) lines.push(c.staleNote);
  if (c.links.length) lines.push(c.links.map((l) => `[${l.label}](${l.url})`).join(' · '));
  return lines.join('\n');
}

function nextSteps(c: AlertContent): string[] {
  const steps: string[] = [];
  if (c.kind === 'sigkill') {
    steps.push('Handle SIGTERM in the container (exit cleanly), or raise stopTimeout (Fargate max 120 s). More memory will not help.');
  }
  if (c.staleNote) steps.push('Check the deployed revision first: the fix may already be live.');
  const mem = c.limits[0];
  if (c.fix && mem) {
    const parts = c.limits.filter((l) => l.recommended !== null && l.recommended !== l.current).map((l) => `${l.label} ${limitChange(l)}`);
    steps.push(`Register a new task-definition revision for ${code(c.container ?? '?')}: ${parts.join(', ')}; then update the service.`);
    const rt = c.fix.runtimeStep;
    if (rt) steps.push(`${rt.before}${code(rt.copy)}${rt.after}`);
  }
  if (c.leakWarning) steps.push('Find and fix the leak: a bigger limit only delays the next kill.');
  for (const s of c.suggestions) steps.push(s);
  steps.push('Full CLI/CDK snippets: see the email alert or run `npm run triage`.');
  return steps.slice(0, CHATBOT_LIMITS.nextSteps).map((s) => cut(oneLine(s), CHATBOT_LIMITS.nextStep));
}

export function renderChatbotFromContent(c: AlertContent, result: TriageResult): ChatbotNotification {
  const t = result.task;
  const keywords = [
    c.kind === 'sigkill' ? 'SIGKILL' : 'OOM',
    result.analysis.pattern,
    t.launchType ?? null,
    c.essential === false ? 'sidecar' : null,
    t.region,
  ]
    .filter((k): k is string => !!k)
    .slice(0, CHATBOT_LIMITS.keywords);
  const relatedResources = [t.taskArn, t.taskDefinitionArn, t.clusterArn].filter((r): r is string => !!r);
  const ctx: Record<string, string> = {
    cluster: t.clusterName,
    service: t.serviceName ?? '',
    container: c.container ?? '',
    verdict: result.classification.verdict,
    confidence: result.confidence,
    pattern: result.analysis.pattern,
    taskId: t.taskId,
  };
  const rec = result.recommendation;
  if (rec) {
    ctx.recommendedMemoryMiB = rec.memory === null ? 'no hard limit' : String(rec.memory);
    if (rec.memoryReservation !== null) ctx.recommendedMemoryReservationMiB = String(rec.memoryReservation);
    if (rec.taskMemory !== null) ctx.recommendedTaskMemoryMiB = String(rec.taskMemory);
    if (rec.taskCpu !== null) ctx.recommendedTaskCpu = String(rec.taskCpu);
  }
  if (result.analysis.nextKillEstimateHours !== null) ctx.nextKillEstimateHours = String(result.analysis.nextKillEstimateHours);
  if (t.accountId) ctx.account = t.accountId;
  if (t.eventId) ctx.eventId = t.eventId;
  const additionalContext = Object.fromEntries(Object.entries(ctx).map(([k, v]) => [k, cut(oneLine(v), CHATBOT_LIMITS.contextValue)]));

  return {
    version: '1.0',
    source: 'custom',
    ...(t.eventId ? { id: t.eventId } : {}),
    content: {
      textType: 'client-markdown',
      title: cut(oneLine(c.title), CHATBOT_LIMITS.title),
      description: cut(description(c), CHATBOT_LIMITS.description),
      nextSteps: nextSteps(c),
      keywords,
    },
    metadata: {
      threadId: c.threadId,
      summary: cut(oneLine(c.title), CHATBOT_LIMITS.summary),
      eventType: c.eventType,
      relatedResources,
      additionalContext,
    },
  };
}

export function renderChatbot(
  result: TriageResult,
  options: { series: MemorySeries | null; story?: AlertStory | null; graphUrl?: string | null; lookbackHours?: number },
): ChatbotNotification {
  return renderChatbotFromContent(alertContentFor(result, options), result);
}

/** The SNS Message string for the Amazon Q topic (publish it raw: no MessageStructure). */
export function renderChatbotMessage(...args: Parameters<typeof renderChatbot>): string {
  return JSON.stringify(renderChatbot(...args));
}
