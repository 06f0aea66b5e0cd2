/**
 * Valid Fargate task sizes (CPU units → memory MiB), from the AWS documentation's table
 * ("Troubleshoot Amazon ECS task definition invalid CPU or memory errors" and TaskDefinition.memory):
 *
 * | CPU   | memory                         |
 * | 256   | 512, 1024, 2048                |
 * | 512   | 1024 to 4096, 1024 steps       |
 * | 1024  | 2048 to 8192, 1024 steps       |
 * | 2048  | 4096 to 16384, 1024 steps      |
 * | 4096  | 8192 to 30720, 1024 steps      |
 * | 8192  | 16384 to 61440, 4096 steps     |
 * | 16384 | 32768 to 122880, 8192 steps    |
 *
 * Pure: no I/O.
 */

export interface FargateTaskSize {
  cpu: number;
  memory: number;
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let m = from; m <= to; m += step) out.push(m);
  return out;
}

/** CPU units → valid memory values in MiB, ascending. */
export const FARGATE_SIZES: ReadonlyArray<{ cpu: number; memory: readonly number[] }> = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: range(1024, 4096, 1024) },
  { cpu: 1024, memory: range(2048, 8192, 1024) },
  { cpu: 2048, memory: range(4096, 16384, 1024) },
  { cpu: 4096, memory: range(8192, 30720, 1024) },
  { cpu: 8192, memory: range(16384, 61440, 4096) },
  { cpu: 16384, memory: range(32768, 122880, 8192) },
];

/** The largest Fargate task memory (120 GB). */
export const FARGATE_MAX_MEMORY_MIB = 122880;

/**
 * The task size must be a Fargate size: the task ran on Fargate, or its task definition is FARGATE-compatible (ECS
 * validates a FARGATE-compatible task definition's size at registration, wherever the task then runs).
 */
export function needsFargateSize(launchType: string | null, requiresCompatibilities: readonly string[] | undefined): boolean {
  return launchType === 'FARGATE' || (requiresCompatibilities ?? []).includes('FARGATE');
}

/** True when cpu/memory is a valid Fargate pair. */
export function isValidFargateSize(cpu: number, memory: number): boolean {
  return FARGATE_SIZES.some((s) => s.cpu === cpu && s.memory.includes(memory));
}

/**
 * The smallest valid Fargate size with at least `minMemoryMiB` of memory.
 * Keeps `currentCpu` when one of its memory values fits (the smallest such); otherwise steps up to the smallest cpu
 * (≥ the current one) that offers enough memory. A `currentCpu` that is not a Fargate value (or null) starts from the
 * smallest Fargate cpu at or above it. Returns null beyond 120 GB.
 */
export function fargateTaskSize(minMemoryMiB: number, currentCpu: number | null): FargateTaskSize | null {
  if (!Number.isFinite(minMemoryMiB) || minMemoryMiB > FARGATE_MAX_MEMORY_MIB) return null;
  const need = Math.max(0, minMemoryMiB);
  const startCpu = currentCpu ?? 0;
  for (const size of FARGATE_SIZES) {
    if (size.cpu < startCpu) continue;
    const memory = size.memory.find((m) => m >= need);
    if (memory !== undefined) return { cpu: size.cpu, memory };
  }
  return null;
}
