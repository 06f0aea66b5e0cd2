/**
 * The story context an alert belongs to: how many kills of the same cluster/service/container the alert ledger
 * has seen in its window. Written by the ledger; read here by the renderers. Pure.
 */
export interface AlertStory {
  /** Kills in this story so far, this one included (1 = first). */
  count: number;
  /** Epoch ms of the story's first kill. */
  firstSeenAt: number;
  /** Kills per hour over the window, when the ledger can tell. */
  ratePerHour: number | null;
  /** The ledger's dedupe window, minutes. */
  windowMinutes: number;
  /** One id per story (cluster + service + container): threads Slack / Amazon Q messages. */
  threadId: string;
}

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 101st, 111th. */
export function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

/** Minutes since the story began, as of `at` (at least 1). */
export function storyMinutes(story: AlertStory, at: number): number {
  return Math.max(1, Math.round((at - story.firstSeenAt) / 60_000));
}

/** "14 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  if (h < 48) {
    const m = minutes % 60;
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(h / 24);
  const rh = h % 24;
  return rh ? `${d} d ${rh} h` : `${d} d`;
}

/** The default story thread id when the ledger gave none: cluster/service-or-family/container. */
export function defaultThreadId(p: { clusterName: string; serviceName: string | null; family: string | null; container: string | null }): string {
  return [p.clusterName, p.serviceName ?? (p.family ? `family:${p.family}` : '-'), p.container ?? '-'].join('/');
}
