/**
 * The figures format 3 of the stress report added (memtier-stress-report/3): the footprint right
 * after the load, after the prefill (at the first token) and its growth per generated token, MLX's
 * own figures, the OS version and the thermal state; and what memtier's estimate says for each.
 * A report of format 2 has none of them: each is then absent, shown as "not in this report". Pure.
 */
import { kvStepTokens, type TierEstimate } from '../policy/memory-estimate.js';
import type { ReadStressReport } from './stress-report.js';

/** A measured value, and where in the report it is. */
export interface PlacedValue<Value> {
  value: Value;
  path: (string | number)[];
  /** "<scenario>, answer <n>", or "whole run". */
  where: string;
}

/** The footprint's growth from the first token to the last, summed over every answer that has both. */
export interface Growth {
  /** Bytes the footprint grew, over all those answers. */
  bytes: number;
  /** Tokens generated after each answer's first, over all those answers. */
  tokens: number;
  /**
   * Tokens KVCacheSimple allocated for in those answers after their first token: per answer, the
   * prompt and its tokens but the last rounded up to 256, less the prompt rounded up. Without the
   * prompt's count (the library did not give it), the tokens themselves.
   */
  kvTokens: number;
  /** Whether every answer gave its prompt's tokens (else kvTokens is not rounded to KV steps). */
  stepped: boolean;
  answers: number;
}

/** Thermal states from the coolest. */
export const THERMAL_STATES = ['nominal', 'fair', 'serious', 'critical'] as const;

/** What a format 3 report adds; each absent when the report does not hold it. */
export interface MemoryFigures {
  /** The footprint right after the first load of the run completed (footprintAfterLoad). */
  afterLoad?: PlacedValue<number>;
  /** The largest footprint at an answer's first token (after its prefill), with that answer's prompt tokens. */
  afterPrefill?: PlacedValue<number> & { promptTokens?: number };
  growth?: Growth;
  /** The largest of MLX's per-answer peaks, with that answer's active and cache memory. */
  mlxPeak?: PlacedValue<number> & { activeMemory: number; cacheMemory: number };
  osVersion?: string;
  /** The thermal state before the first load, at the end of the run, and the hottest of those and of each answer's end. */
  thermal?: { start?: string; end?: string; highest: PlacedValue<string> };
}

interface PlacedAnswer {
  answer: ReadStressReport['scenarios'][number]['answers'][number];
  path: (string | number)[];
  where: string;
}

/** The figures of format 3 in `report`. */
export function memoryFiguresOf(report: ReadStressReport, answers: readonly PlacedAnswer[]): MemoryFigures {
  const loaded = answers.find(({ answer }) => answer.footprintAfterLoad !== undefined);
  let afterPrefill: MemoryFigures['afterPrefill'];
  let mlxPeak: MemoryFigures['mlxPeak'];
  const growth: Growth = { bytes: 0, tokens: 0, kvTokens: 0, stepped: true, answers: 0 };
  for (const { answer, path, where } of answers) {
    const first = answer.footprintAtFirstToken;
    if (first !== undefined && (afterPrefill === undefined || first > afterPrefill.value)) {
      afterPrefill = { value: first, path: [...path, 'footprintAtFirstToken'], where, ...(answer.promptTokens !== undefined ? { promptTokens: answer.promptTokens } : {}) };
    }
    const mlx = answer.mlxMemory;
    if (mlx && (mlxPeak === undefined || mlx.peakMemory > mlxPeak.value)) {
      mlxPeak = { value: mlx.peakMemory, path: [...path, 'mlxMemory', 'peakMemory'], where, activeMemory: mlx.activeMemory, cacheMemory: mlx.cacheMemory };
    }
    const last = answer.footprintAtLastToken;
    if (first === undefined || last === undefined || answer.tokens < 2 || answer.cancelled) continue;
    const prompt = answer.promptTokens;
    growth.bytes += last - first;
    growth.tokens += answer.tokens - 1;
    // At the last token the cache holds the prompt and every token but the last.
    growth.kvTokens += prompt === undefined ? answer.tokens - 1 : kvStepTokens(prompt + answer.tokens - 1) - kvStepTokens(prompt);
    growth.stepped &&= prompt !== undefined;
    growth.answers += 1;
  }
  return {
    ...(loaded ? { afterLoad: { value: loaded.answer.footprintAfterLoad!, path: [...loaded.path, 'footprintAfterLoad'], where: loaded.where } } : {}),
    ...(afterPrefill ? { afterPrefill } : {}),
    ...(growth.answers > 0 ? { growth } : {}),
    ...(mlxPeak ? { mlxPeak } : {}),
    ...(report.osVersion !== undefined ? { osVersion: report.osVersion } : {}),
    ...thermalOf(report, answers),
  };
}

function thermalOf(report: ReadStressReport, answers: readonly PlacedAnswer[]): Pick<MemoryFigures, 'thermal'> {
  const states: PlacedValue<string>[] = [
    ...(report.thermalStateAtStart ? [{ value: report.thermalStateAtStart, path: ['thermalStateAtStart'], where: 'before the first load' }] : []),
    ...answers.flatMap(({ answer, path, where }) => (answer.thermalState ? [{ value: answer.thermalState, path: [...path, 'thermalState'], where }] : [])),
    ...(report.thermalStateAtEnd ? [{ value: report.thermalStateAtEnd, path: ['thermalStateAtEnd'], where: 'end of the run' }] : []),
  ];
  const rank = (state: string) => THERMAL_STATES.indexOf(state as (typeof THERMAL_STATES)[number]);
  const highest = states.reduce<PlacedValue<string> | undefined>((hottest, state) => (hottest === undefined || rank(state.value) > rank(hottest.value) ? state : hottest), undefined);
  if (!highest) return {};
  return { thermal: { ...(report.thermalStateAtStart ? { start: report.thermalStateAtStart } : {}), ...(report.thermalStateAtEnd ? { end: report.thermalStateAtEnd } : {}), highest } };
}

/** Whether a thermal state throttles the CPU and GPU (serious or critical). */
export function isThrottling(state: string): boolean {
  return state === 'serious' || state === 'critical';
}

/** What memtier's estimate says beside the figures of format 3. */
export interface MemoryEstimates {
  /** KV bytes one token costs: the estimate's KV cache over the tokens it holds. */
  kvBytesPerToken: bigint;
  /**
   * After the prefill: weights + the KV cache of the prompt (rounded up to 256 tokens) +
   * cacheLimit (the stages' temporaries are freed by then), for the prompt of the answer the figure is from when the report gives its
   * tokens, else for the estimate's own prompt (prompt + image + layout tokens).
   */
  afterPrefill: { bytes: bigint; promptTokens: number; fromReport: boolean };
  /** The growth per token the KV cache explains: kvBytesPerToken x the KV steps allocated / the tokens. */
  growthPerToken?: number;
}

/** The estimate's figures beside `figures`. */
export function memoryEstimates(figures: MemoryFigures, estimate: TierEstimate): MemoryEstimates | undefined {
  if (estimate.tokens.cached === 0) return undefined;
  const kvBytesPerToken = estimate.kvCache / BigInt(estimate.tokens.cached);
  const reported = figures.afterPrefill?.promptTokens;
  const promptTokens = reported ?? estimate.tokens.prompt + estimate.tokens.image + estimate.tokens.layout;
  const growth = figures.growth;
  return {
    kvBytesPerToken,
    // At the first token the vision encoder's and the prefill's temporaries are freed: MLX holds the
    // weights, the prompt's KV cache and at most cacheLimit of freed buffers in its cache.
    afterPrefill: { bytes: estimate.weights + kvBytesPerToken * BigInt(kvStepTokens(promptTokens)) + estimate.cacheLimit, promptTokens, fromReport: reported !== undefined },
    ...(growth && growth.tokens > 0 ? { growthPerToken: (Number(kvBytesPerToken) * growth.kvTokens) / growth.tokens } : {}),
  };
}
