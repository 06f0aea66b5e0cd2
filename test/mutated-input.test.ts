/**
 * Mutated and truncated inputs: thousands of seeded mutations of real events and task definitions go through the
 * whole pure path (parse, classify, metrics selection, pattern, recommendation, every renderer). The only error
 * allowed is InvalidInputError (logged and dropped by the handler); nothing else may throw, and every OOM that
 * survives parsing must come out with a verdict other than not-oom.
 */
import { describe, expect, it } from 'vitest';
import { classifyKill } from '../lambda/classify-kill';
import { InvalidInputError } from '../lambda/errors';
import { parseMetricStatistics } from '../lambda/memory-metrics';
import type { TaskDefinition } from '../lambda/model';
import { parseTaskStateChange } from '../lambda/parse-task';
import { parseTaskDefinition } from '../lambda/parse-task-definition';
import { renderChatbotMessage } from '../lambda/render-chatbot';
import { renderSnsMessage } from '../lambda/render-email';
import { renderSlack } from '../lambda/render-slack';
import { buildTriage } from '../lambda/triage';
import { EXAMPLES, OWN_EVENTS, SHARED_FIXTURES, loadFixtures, loadJson } from './helpers/fixtures';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [null, undefined, '', 'x', -1, 0, 1e12, NaN, '137', true, [], {}, 'OutOfMemoryError', '\u0000\u202e', 'ü'.repeat(300)];

/** Replace, delete or truncate a random node of a JSON value, `count` times. */
function mutate<T>(value: T, random: () => number, count: number): T {
  const copy = structuredClone(value) as unknown;
  for (let i = 0; i < count; i += 1) {
    const paths: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach((v, k) => (paths.push({ parent: node, key: k }), walk(v)));
      else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) paths.push({ parent: node as Record<string, unknown>, key: k }), walk(v);
    };
    walk(copy);
    const target = paths[Math.floor(random() * paths.length)];
    if (!target) break;
    const roll = random();
    const parent = target.parent as Record<string | number, unknown>;
    if (roll < 0.35) {
      if (Array.isArray(target.parent)) target.parent.splice(target.key as number, 1);
      else delete parent[target.key];
    } else if (roll < 0.8) {
      parent[target.key] = ODD_VALUES[Math.floor(random() * ODD_VALUES.length)];
    } else if (Array.isArray(parent[target.key])) {
      (parent[target.key] as unknown[]).length = Math.floor(random() * 2);
    } else if (typeof parent[target.key] === 'string') {
      parent[target.key] = (parent[target.key] as string).slice(0, Math.floor(random() * 10));
    }
  }
  return copy as T;
}

const events = [
  loadJson<Record<string, unknown>>(`${EXAMPLES}/oom-event.json`),
  ...loadFixtures(OWN_EVENTS).flatMap((f) => (f.event ? [f.event] : [])),
  ...loadFixtures(SHARED_FIXTURES).flatMap((f) => (f.event ? [f.event] : [])),
];
const definitionJson = loadJson<Record<string, unknown>>(`${EXAMPLES}/task-definition.json`);
const metrics = parseMetricStatistics(loadJson(`${EXAMPLES}/metrics.json`), 'aws-ecs');
const NOW = Date.parse('2026-11-20T14:08:00Z');

function triageAndRender(event: unknown, definition: TaskDefinition | null): 'dropped' | string {
  let task;
  try {
    task = parseTaskStateChange(event);
  } catch (error) {
    if (error instanceof InvalidInputError) return 'dropped';
    throw error;
  }
  const { result, series } = buildTriage(
    task,
    { taskDefinition: definition, metrics: { datasets: [metrics], containerInsights: false }, deployed: null, warnings: [] },
    { now: NOW, lookbackHours: 24 },
  );
  const slack = renderSlack(result, { series });
  expect(slack.blocks.length).toBeLessThanOrEqual(50);
  const sns = renderSnsMessage(result, { series });
  expect(sns.Subject.length).toBeLessThan(100);
  expect(sns.Subject).toMatch(/^[\x20-\x7e]+$/);
  JSON.parse(renderChatbotMessage(result, { series }));
  return result.classification.verdict;
}

describe('mutated and truncated inputs', () => {
  it('never crash the pure path: 1,500 mutated events, with and without a (mutated) task definition', () => {
    const random = prng(42);
    const verdicts = new Map<string, number>();
    for (let i = 0; i < 1500; i += 1) {
      const event = mutate(events[i % events.length], random, 1 + Math.floor(random() * 4));
      let definition: TaskDefinition | null = null;
      if (random() < 0.5) {
        try {
          definition = parseTaskDefinition(mutate(definitionJson, random, Math.floor(random() * 3)));
        } catch (error) {
          if (!(error instanceof InvalidInputError)) throw error;
        }
      }
      const verdict = triageAndRender(event, definition);
      verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
    }
    // The mutations must exercise every outcome, or the test proves little.
    expect(verdicts.get('dropped')).toBeGreaterThan(10);
    expect(verdicts.get('oom')).toBeGreaterThan(100);
    expect(verdicts.get('not-oom')).toBeGreaterThan(100);
  });

  it('never lose an OOM to a mutation elsewhere in the event', () => {
    const random = prng(7);
    const example = events[0] as { detail: Record<string, unknown> };
    for (let i = 0; i < 500; i += 1) {
      const detail = mutate(example.detail, random, 1 + Math.floor(random() * 3));
      // Keep the killed container intact: whatever else breaks, this is an OOM.
      const containers = Array.isArray(detail['containers']) ? (detail['containers'] as unknown[]) : [];
      detail['containers'] = [{ name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }, ...containers];
      if (typeof detail['taskArn'] !== 'string' || detail['taskArn'] === '') detail['taskArn'] = 'arn:aws:ecs:eu-west-1:1:task/c/t';
      const task = parseTaskStateChange({ ...example, detail });
      expect(classifyKill(task).verdict).toBe('oom');
    }
  });
});
