/**
 * Slack Block Kit message for an incoming webhook. Pure.
 *
 * Limits kept (ALERTS.md): header plain_text <= 150, section text <= 3000, <= 10 fields of <= 2000 each,
 * context <= 10 elements, <= 50 blocks. Links are mrkdwn `<url|text>`, not buttons: a webhook has no app to
 * acknowledge clicks. `&`, `<`, `>` in any user-controlled text are escaped.
 */
import { alertContentFor, contextFacts, limitChange, type AlertContent } from './alert-content';
import type { AlertStory } from './alert-story';
import type { MemorySeries, TriageResult } from './model';

export type { AlertStory } from './alert-story';

export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  blocks: 50,
  imageUrl: 3000,
  altText: 2000,
  fallbackText: 400,
} as const;

export const TRUNCATION_NOTE = '… (truncated; full snippet in the email / `npm run triage`)';

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
}
export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}
export interface SectionBlock {
  type: 'section';
  text?: MrkdwnText;
  fields?: MrkdwnText[];
}
export interface ImageBlock {
  type: 'image';
  image_url: string;
  alt_text: string;
  title?: PlainText;
}
export interface ContextBlock {
  type: 'context';
  elements: MrkdwnText[];
}
export interface DividerBlock {
  type: 'divider';
}
export type Block = HeaderBlock | SectionBlock | ImageBlock | ContextBlock | DividerBlock;

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Escape the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut to at most `max` characters (code points kept whole), ending with an ellipsis when cut. */
export function truncatePlain(s: string, max: number): string {
  const chars = Array.from(s);
  if (s.length <= max) return s;
  let out = '';
  for (const ch of chars) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${dropPartialEntity(out).trimEnd()}…`;
}

/** Never leave a half entity (`&am`) at the end of a hard cut. */
function dropPartialEntity(s: string): string {
  return s.replace(/&[a-z]{0,4}$/, '');
}

/**
 * Keep whole lines of `body` while `prefix + kept + suffix` fits in `max`; when something is cut, `note` is
 * appended after the suffix. A first line longer than the room is hard-cut.
 */
export function fitLines(prefix: string, body: string, suffix: string, max: number, note: string): string {
  const whole = `${prefix}${body}${suffix}`;
  if (whole.length <= max) return whole;
  const room = max - prefix.length - suffix.length - note.length - 1;
  const lines = body.split('\n');
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const add = line.length + (kept.length ? 1 : 0);
    if (used + add > room) break;
    kept.push(line);
    used += add;
  }
  let cut = kept.join('\n');
  if (kept.length === 0) cut = dropPartialEntity(Array.from(lines[0] ?? '').join('').slice(0, Math.max(0, room)));
  return `${prefix}${cut}${suffix}\n${note}`;
}

function mrkdwn(text: string): MrkdwnText {
  return { type: 'mrkdwn', text };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}

/** A titled code block; truncated at a line boundary with TRUNCATION_NOTE when too long. */
export function codeSection(title: string, code: string, max: number = SLACK_LIMITS.sectionText): SectionBlock {
  return section(fitLines(`*${escapeMrkdwn(title)}*\n\`\`\`\n`, escapeMrkdwn(code), '\n```', max, TRUNCATION_NOTE));
}

/** A titled bullet list; items cut at a line boundary with "… and N more". */
export function listSection(title: string, items: string[], max: number = SLACK_LIMITS.sectionText): SectionBlock {
  const head = `*${escapeMrkdwn(title)}*\n`;
  const lines = items.map((i) => `• ${escapeMrkdwn(i.replace(/\s*\n\s*/g, ' '))}`);
  const full = head + lines.join('\n');
  if (full.length <= max) return section(full);
  const kept: string[] = [];
  let used = head.length;
  for (let i = 0; i < lines.length; i += 1) {
    const more = `\n… and ${lines.length - i} more (see the email / \`npm run triage\`)`;
    const line = lines[i]!;
    const add = line.length + (kept.length ? 1 : 0);
    if (used + add + more.length > max) {
      if (kept.length === 0) kept.push(dropPartialEntity(line.slice(0, max - used - more.length - 1)));
      return section(head + kept.join('\n') + `\n… and ${lines.length - kept.length} more (see the email / \`npm run triage\`)`);
    }
    kept.push(line);
    used += add;
  }
  return section(head + kept.join('\n'));
}

function field(label: string, value: string): MrkdwnText {
  const text = `*${escapeMrkdwn(label)}*\n${escapeMrkdwn(value)}`;
  return mrkdwn(text.length <= SLACK_LIMITS.fieldText ? text : `${dropPartialEntity(text.slice(0, SLACK_LIMITS.fieldText - 1))}…`);
}

/** A mrkdwn link; `|`, `<`, `>` are never in our URLs, but are percent-encoded defensively. */
export function slackLink(url: string, label: string): string {
  const safeUrl = url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
  return `<${safeUrl}|${escapeMrkdwn(label)}>`;
}

function summaryText(c: AlertContent): string {
  const lines = [escapeMrkdwn(c.summary)];
  if (c.storyLine) lines.push(`:repeat: ${escapeMrkdwn(c.storyLine)}`);
  return truncatePlain(lines.join('\n'), SLACK_LIMITS.sectionText);
}

function fallbackText(c: AlertContent): string {
  const recMem = c.limits[0];
  let tail = '';
  if (c.kind === 'sigkill') tail = ' More memory will not help: handle SIGTERM or raise stopTimeout.';
  else if (recMem?.recommended !== null && recMem?.recommended !== undefined) tail = ` Recommended memory ${limitChange(recMem)}.`;
  return escapeMrkdwn(truncatePlain(`${c.title}.${tail}`, SLACK_LIMITS.fallbackText));
}

export function renderSlackFromContent(c: AlertContent): SlackMessage {
  const blocks: Block[] = [];
  blocks.push({ type: 'header', text: { type: 'plain_text', text: truncatePlain(c.title.replace(/\s+/g, ' '), SLACK_LIMITS.headerText), emoji: false } });
  blocks.push(section(summaryText(c)));

  // Two columns in Slack: identity and pattern first, then the limits side by side, the evidence last.
  const fields: MrkdwnText[] = c.facts.filter((f) => f.label !== 'Evidence').map((f) => field(f.label, f.value));
  for (const row of c.limits) {
    if (row.current === null && row.recommended === null) continue;
    fields.push(field(row.label, limitChange(row)));
  }
  for (const f of c.facts.filter((x) => x.label === 'Evidence')) fields.push(field(f.label, f.value));
  blocks.push({ type: 'section', fields: fields.slice(0, SLACK_LIMITS.fields) });

  const sparkTitle = `Memory, last ${c.lookbackHours} h`;
  if (c.sparkline.line) blocks.push(codeSection(sparkTitle, c.sparkline.text));
  else blocks.push(section(`*${sparkTitle}*\n${escapeMrkdwn(c.sparkline.text)}`));
  if (c.graphUrl && c.graphUrl.length <= SLACK_LIMITS.imageUrl) {
    blocks.push({ type: 'image', image_url: c.graphUrl, alt_text: truncatePlain(c.graphAlt, SLACK_LIMITS.altText) });
  }

  if (c.leakWarning) blocks.push(section(truncatePlain(`:warning: *Leak.* ${escapeMrkdwn(c.leakWarning)}`, SLACK_LIMITS.sectionText)));
  if (c.sigkillCause) blocks.push(section(truncatePlain(`:information_source: *Not a memory problem.* ${escapeMrkdwn(c.sigkillCause)}`, SLACK_LIMITS.sectionText)));
  if (c.staleNote) blocks.push(section(truncatePlain(`:hourglass: *Stale revision.* ${escapeMrkdwn(c.staleNote)}`, SLACK_LIMITS.sectionText)));

  if (c.fix) {
    blocks.push({ type: 'divider' });
    blocks.push(codeSection('Fix: task definition fragment', c.fix.json));
    blocks.push(codeSection('Fix: AWS CLI', c.fix.cli));
    blocks.push(codeSection('Fix: CDK', c.fix.cdk));
  }
  if (c.runtimeLines.length) blocks.push(listSection('Runtime', c.runtimeLines));
  if (c.reasons.length) blocks.push(listSection('Why', c.reasons));
  if (c.deadEnds.length) blocks.push(listSection('Dead ends', c.deadEnds));
  if (c.warnings.length) blocks.push(listSection('Warnings', c.warnings));
  if (c.suggestions.length) blocks.push(listSection('Suggestions', c.suggestions));

  // Whole links only: a cut link is a broken link. Those that do not fit are in the email.
  const links: string[] = [];
  for (const l of c.links) {
    const next = [...links, slackLink(l.url, l.label)].join('  ·  ');
    if (next.length <= SLACK_LIMITS.sectionText) links.push(slackLink(l.url, l.label));
  }
  if (links.length) blocks.push(section(links.join('  ·  ')));

  const ctx = contextFacts(c, 'v');
  blocks.push({ type: 'context', elements: [mrkdwn(truncatePlain(escapeMrkdwn(ctx.join(' · ')), SLACK_LIMITS.sectionText))] });

  return { text: fallbackText(c), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** The Slack payload for one triage. */
export function renderSlack(
  result: TriageResult,
  options: { series: MemorySeries | null; story?: AlertStory | null; graphUrl?: string | null; lookbackHours?: number },
): SlackMessage {
  return renderSlackFromContent(alertContentFor(result, options));
}
