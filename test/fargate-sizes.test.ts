import { describe, expect, it } from 'vitest';
import { FARGATE_SIZES, fargateTaskSize, isValidFargateSize } from '../lambda/fargate-sizes';

describe('fargate sizes', () => {
  it('matches the AWS table', () => {
    expect(FARGATE_SIZES.find((s) => s.cpu === 256)?.memory).toEqual([512, 1024, 2048]);
    expect(FARGATE_SIZES.find((s) => s.cpu === 512)?.memory).toEqual([1024, 2048, 3072, 4096]);
    expect(FARGATE_SIZES.find((s) => s.cpu === 1024)?.memory).toHaveLength(7);
    expect(FARGATE_SIZES.find((s) => s.cpu === 4096)?.memory.at(-1)).toBe(30720);
    expect(FARGATE_SIZES.find((s) => s.cpu === 8192)?.memory).toContain(20480);
    expect(isValidFargateSize(8192, 18432)).toBe(false);
    expect(isValidFargateSize(16384, 122880)).toBe(true);
  });

  it('keeps the cpu when a memory value fits', () => {
    expect(fargateTaskSize(1500, 512)).toEqual({ cpu: 512, memory: 2048 });
    expect(fargateTaskSize(512, 256)).toEqual({ cpu: 256, memory: 512 });
  });

  it('steps the cpu up when the current one cannot hold the memory', () => {
    expect(fargateTaskSize(2500, 256)).toEqual({ cpu: 512, memory: 3072 });
    expect(fargateTaskSize(9000, 1024)).toEqual({ cpu: 2048, memory: 9216 });
    expect(fargateTaskSize(31000, 4096)).toEqual({ cpu: 8192, memory: 32768 });
  });

  it('starts from the smallest cpu without one, and stops at 120 GB', () => {
    expect(fargateTaskSize(700, null)).toEqual({ cpu: 256, memory: 1024 });
    expect(fargateTaskSize(122880, 16384)).toEqual({ cpu: 16384, memory: 122880 });
    expect(fargateTaskSize(122881, 16384)).toBeNull();
  });
});
