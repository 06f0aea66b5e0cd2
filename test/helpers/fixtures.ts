/** Load fixtures: the shared real events (../shared beside the repo) and this repo's own. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED_FIXTURES = resolve(__dirname, '../../../shared/fixtures/ecs-events');
export const OWN_EVENTS = resolve(__dirname, '../fixtures/events');
export const EXAMPLES = resolve(__dirname, '../../examples');

export interface Fixture {
  file: string;
  source?: string;
  note?: string;
  event?: Record<string, unknown>;
  task?: Record<string, unknown>;
}

export function loadFixtures(dir: string): Fixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<Fixture, 'file'>) }));
}

export function loadJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function ownEvent(name: string): Record<string, unknown> {
  const fixture = loadJson<Fixture>(join(OWN_EVENTS, name));
  if (!fixture.event) throw new Error(`${name} has no event`);
  return fixture.event;
}
