/**
 * The model catalog: the SmolVLM models an MLX Swift app loads, with the numbers that decide their
 * memory and where each number comes from. `model: <name>` in tiers.yaml picks an entry; numbers
 * given in the policy override the entry's.
 *
 * As in the device catalog, every value says how sure it is: `exact` (read from a published file),
 * `approximate` (a published figure given roughly) or `estimated` (worked out here, with the rule).
 * docs/budgets.md ("Will it fit?") gives the formula these feed.
 */

import type { MeasuredShape, ModelMemory } from '../policy/memory-estimate.js';
import { SIZE_UNITS } from '../policy/sizes.js';
import { MEASURED_RUNS, MEASURED_SHAPES } from './measured.js';

/** How sure a model value is, and where it comes from. */
export interface ModelValueSource {
  kind: 'exact' | 'approximate' | 'estimated';
  source: string;
}

/**
 * The numbers that decide a model's memory: what the estimate reads, with the KV cache given by
 * its shape (kvBytesPerToken comes from it), and the vision encoder's patch.
 */
export interface ModelNumbers extends Omit<ModelMemory, 'kvBytesPerToken' | 'fixedImageTokens' | 'measured'> {
  /** Text-model layers, each holding a key and a value per token in the KV cache. */
  layers: number;
  /** Key-value heads per layer (grouped-query attention keeps fewer than the query heads). */
  kvHeads: number;
  /** Values per head. */
  headDim: number;
  /** Bytes per cached value: 2 for bf16/fp16 (MLX caches keys and values in the model's type). */
  kvBytesPerValue: number;
  /** The vision encoder's patch, in pixels: no image may be smaller. */
  patchSize: number;
}

/** One catalog model. */
export interface CatalogModel {
  /** The name tiers.yaml uses: the Hugging Face repository's name. */
  name: string;
  /** The Hugging Face repository that mlx-swift-lm downloads. */
  id: string;
  /** Where mlx-swift-lm offers it, if it does. */
  registry?: string;
  numbers: ModelNumbers;
  sources: Record<keyof ModelNumbers, ModelValueSource>;
  /** Tokens every image becomes when the processor does not tile, with where that comes from. */
  fixedImageTokens?: { tokens: number; source: ModelValueSource };
}

const MiB = SIZE_UNITS.MiB!;

/** Where the values shared by the SmolVLM2 models come from. */
const SMOLVLM2_PROCESSOR = 'mlx-swift-lm Tests/MLXLMTests/SmolVLM2TilingTests.swift, the SmolVLM2 processor configuration';
const PATCHED_PROCESSOR = 'mlx-swift-lm Libraries/MLXVLM/Models/SmolVLM2.swift tiles(from:) before pull request 255 (first in 3.31.4); VLMEval (mlx-swift-examples 44b14cf) pins 2.29.2';
const DESIGN_ALLOWANCE: ModelValueSource = {
  kind: 'estimated',
  source: 'used where no measurement applies: the original design\'s guess (docs/design.md), inference buffers 300-500 MB and temporary data 200 MB; the upper figures, 700 MiB',
};
const PROMPT_ALLOWANCE: ModelValueSource = {
  kind: 'estimated',
  source: 'memtier: chat template, a system prompt and a question of a few sentences, rounded up to 256 tokens',
};
const KV_PRECISION: ModelValueSource = {
  kind: 'exact',
  source: 'mlx-swift-lm KVCacheSimple stores keys and values in the model\'s type; the weights are bf16 (2 bytes)',
};

/** A bf16 SmolVLM2 model: its SmolLM2 text model's shape, and the shared SigLIP and processor values. */
function smolvlm2(entry: {
  size: string;
  registry?: string;
  weights: bigint;
  weightsSource: string;
  textModel: string;
  layers: number;
  kvHeads: number;
  headDimSource: string;
}): CatalogModel {
  const name = `SmolVLM2-${entry.size}-Video-Instruct-mlx`;
  return {
    name,
    id: `HuggingFaceTB/${name}`,
    ...(entry.registry ? { registry: entry.registry } : {}),
    numbers: {
      weights: entry.weights,
      layers: entry.layers, kvHeads: entry.kvHeads, headDim: 64, kvBytesPerValue: 2,
      patchSize: 16, tileSize: 512, tokensPerTile: 64, longestEdge: 2048, upscalesImages: true,
      promptTokens: 256,
      activations: 700n * MiB,
    },
    sources: {
      weights: { kind: 'estimated', source: entry.weightsSource },
      layers: { kind: 'exact', source: `the text model, ${entry.textModel}: num_hidden_layers ${entry.layers} (its config.json)` },
      kvHeads: { kind: 'exact', source: `${entry.textModel}: num_key_value_heads ${entry.kvHeads}` },
      headDim: { kind: 'exact', source: `${entry.textModel}: ${entry.headDimSource}` },
      kvBytesPerValue: KV_PRECISION,
      patchSize: { kind: 'exact', source: 'the SmolVLM2 vision encoder, SigLIP base-patch16-512 (16-pixel patches)' },
      tileSize: { kind: 'exact', source: `${SMOLVLM2_PROCESSOR}: max_image_size.longest_edge 512` },
      tokensPerTile: { kind: 'exact', source: `${SMOLVLM2_PROCESSOR}: image_seq_len 64` },
      longestEdge: { kind: 'exact', source: `${SMOLVLM2_PROCESSOR}: size.longest_edge 2048` },
      upscalesImages: { kind: 'exact', source: PATCHED_PROCESSOR },
      promptTokens: PROMPT_ALLOWANCE,
      activations: DESIGN_ALLOWANCE,
    },
  };
}

/**
 * A 2.2-billion-parameter SmolVLM: text model SmolLM2-1.7B, vision SigLIP so400m at 384 px. Their
 * configurations were not reachable from memtier's build machines, so every value but the cache
 * precision is marked estimated: check them before relying on the estimate.
 */
function smolvlm2B(entry: { name: string; id: string; registry?: string; weights: bigint; weightsSource: string; processor: string }): CatalogModel {
  const unchecked = (source: string): ModelValueSource => ({ kind: 'estimated', source: `${source}, as commonly published; not checked` });
  return {
    name: entry.name,
    id: entry.id,
    ...(entry.registry ? { registry: entry.registry } : {}),
    numbers: {
      weights: entry.weights,
      layers: 24, kvHeads: 32, headDim: 64, kvBytesPerValue: 2,
      patchSize: 14, tileSize: 384, tokensPerTile: 81, longestEdge: 1536, upscalesImages: true,
      promptTokens: 256,
      activations: 700n * MiB,
    },
    sources: {
      weights: { kind: 'estimated', source: entry.weightsSource },
      layers: unchecked('the text model, SmolLM2-1.7B: 24 layers'),
      kvHeads: unchecked('SmolLM2-1.7B: 32 key-value heads (no grouped-query attention)'),
      headDim: unchecked('SmolLM2-1.7B: hidden size 2048 / 32 heads'),
      kvBytesPerValue: KV_PRECISION,
      patchSize: unchecked('the vision encoder, SigLIP so400m-patch14-384 (14-pixel patches)'),
      tileSize: unchecked(`${entry.processor}: max_image_size.longest_edge 384`),
      tokensPerTile: unchecked(`${entry.processor}: image_seq_len 81`),
      longestEdge: unchecked(`${entry.processor}: size.longest_edge 1536 (4 x 384)`),
      upscalesImages: unchecked(`${entry.processor}: resizes to the longest edge before tiling, as SmolVLM2-500M's does`),
      promptTokens: PROMPT_ALLOWANCE,
      activations: DESIGN_ALLOWANCE,
    },
  };
}

/** The models, SmolVLM2-500M (the app's) first. */
export const MODELS: readonly CatalogModel[] = [
  smolvlm2({
    size: '500M',
    registry: 'VLMRegistry.smolvlm (mlx-swift-lm 2.29.2 to 3.31.4), the model the VLMEval app loads',
    weights: 1_014_000_000n,
    weightsSource: '507 million parameters (the model card\'s "500M", 507M counted) at 2 bytes (bf16): about 1.0 GB, as memtier\'s design facts record',
    textModel: 'SmolLM2-360M', layers: 32, kvHeads: 5, headDimSource: 'hidden_size 960 / num_attention_heads 15',
  }),
  smolvlm2({
    size: '256M',
    weights: 512_000_000n,
    weightsSource: '256 million parameters (the model card) at 2 bytes (bf16)',
    textModel: 'SmolLM2-135M', layers: 30, kvHeads: 3, headDimSource: 'head_dim 64',
  }),
  {
    ...smolvlm2B({
      name: 'SmolVLM-Instruct-4bit',
      id: 'mlx-community/SmolVLM-Instruct-4bit',
      registry: 'VLMRegistry.smolvlminstruct4bit (mlx-swift-lm 2.29.2 to 3.31.4)',
      weights: 1_270_000_000n,
      weightsSource: '2.25 billion parameters at 4 bits plus a bf16 scale and bias per group of 64 (4.5 bits a weight); not checked against the files',
      processor: 'SmolVLM (v1), read by mlx-swift-lm\'s Idefics3 processor',
    }),
    fixedImageTokens: {
      tokens: 1,
      source: { kind: 'exact', source: 'mlx-swift-lm Libraries/MLXVLM/Models/Idefics3.swift (2.29.2 to 3.31.4): the Idefics3 processor resizes the image to 384 x 384 and inserts one <image> token, so no tiles and no layout tokens; the merge then finds fewer <image> tokens than image_seq_len and leaves the features out' },
    },
  },
  smolvlm2B({
    name: 'SmolVLM2-2.2B-Instruct-mlx',
    id: 'HuggingFaceTB/SmolVLM2-2.2B-Instruct-mlx',
    weights: 4_500_000_000n,
    weightsSource: '2.25 billion parameters at 2 bytes (bf16); not checked against the files',
    processor: 'SmolVLM2-2.2B, read by mlx-swift-lm\'s SmolVLM processor',
  }),
];

/** A catalog model by name or Hugging Face id, in any case. */
export function findModel(query: string): CatalogModel | undefined {
  const key = query.trim().toLowerCase();
  return MODELS.find((model) => model.name.toLowerCase() === key || model.id.toLowerCase() === key);
}

/** Model names, for suggestions. */
export function modelNames(): string[] {
  return MODELS.map((model) => model.name);
}

/** A model's numbers after the policy's overrides, each with its source. */
export interface ResolvedModel {
  /** The catalog name, or the policy's own name (or "the policy's model"). */
  name: string;
  catalog?: CatalogModel;
  /** `measured`: the catalog model's measured figures, unless the policy changes a number they depend on. */
  numbers: ModelNumbers & Pick<ModelMemory, 'kvBytesPerToken' | 'fixedImageTokens' | 'measured'>;
  sources: Record<keyof ModelNumbers | 'kvBytesPerToken', ModelValueSource>;
}

/** The figures measured with the real MLX for a catalog model (devices/measured.ts), every release and image shape. */
export function measuredFigures(name: string): readonly MeasuredShape[] {
  return MEASURED_SHAPES.filter((shape) => shape.model === name);
}

/** The run a measured figure comes from, in words: "tools/measure, 2026-12-06, MLX 0.32.4 (cpu backend), mlx-vlm 0.7.10". */
export function measuredRunInWords(run: number): string {
  const found = MEASURED_RUNS[run];
  return found ? `${found.file}, ${found.date}, ${found.versions}` : 'an unknown run';
}

/** The day a measuring run started ("2026-12-06"). */
export function measuredRunDate(run: number): string {
  return MEASURED_RUNS[run]?.date ?? 'an unknown day';
}

/**
 * Policy numbers after which a catalog model's measurements no longer describe it: what sizes the
 * weights, the KV cache, the image and the activations, and promptTokens (the runs measured
 * prompts of 256 tokens, and the prefill's activations grow with the prompt). upscalesImages (the
 * release) may change: the measurements are per release.
 */
const MEASURED_UNLESS = ['weights', 'layers', 'kvHeads', 'headDim', 'kvBytesPerValue', 'kvBytesPerToken', 'patchSize', 'tileSize', 'tokensPerTile', 'longestEdge', 'promptTokens', 'activations'] as const;

/** The policy's model section, as resolve reads it (a structural copy of PolicyModel). */
export type ModelOverrides = Partial<Omit<ModelNumbers, 'weights' | 'activations'>> & {
  name?: string;
  weights?: bigint;
  activations?: bigint;
  kvBytesPerToken?: bigint;
  /** Where a settled `upscalesImages` came from (the app's mlx-swift-lm pin: mlx/lm-release.ts); never from a policy file. */
  pinnedBy?: string;
};

/** Why a model section cannot be estimated: the key to point at and the reason. */
export interface ModelProblem {
  key: 'name' | undefined;
  message: string;
}

const NUMBER_KEYS = ['weights', 'layers', 'kvHeads', 'headDim', 'kvBytesPerValue', 'patchSize', 'tileSize', 'tokensPerTile', 'longestEdge', 'upscalesImages', 'promptTokens', 'activations'] as const satisfies readonly (keyof ModelNumbers)[];
const KV_SHAPE_KEYS = ['layers', 'kvHeads', 'headDim', 'kvBytesPerValue'] as const;

/** The KV cache of one token: a key and a value for every layer and key-value head. */
export function kvBytesPerToken(numbers: Pick<ModelNumbers, 'layers' | 'kvHeads' | 'headDim' | 'kvBytesPerValue'>): bigint {
  return BigInt(Math.ceil(2 * numbers.layers * numbers.kvHeads * numbers.headDim * numbers.kvBytesPerValue));
}

/** The catalog entry the policy names, with the policy's numbers over it; or what is missing. */
export function resolveModel(overrides: ModelOverrides, sourceName: string): { model: ResolvedModel } | { problem: ModelProblem } {
  const catalog = overrides.name === undefined ? undefined : findModel(overrides.name);
  const given: ModelValueSource = { kind: 'exact', source: sourceName };
  const numbers: Partial<ModelNumbers> = { ...catalog?.numbers };
  const sources: Partial<Record<keyof ModelNumbers | 'kvBytesPerToken', ModelValueSource>> = { ...catalog?.sources };
  for (const key of NUMBER_KEYS) {
    if (overrides[key] === undefined) continue;
    (numbers as Record<string, unknown>)[key] = overrides[key];
    sources[key] = key === 'upscalesImages' && overrides.pinnedBy !== undefined ? { kind: 'exact', source: overrides.pinnedBy } : given;
  }
  const needed = NUMBER_KEYS.filter((key) => numbers[key] === undefined && !(overrides.kvBytesPerToken !== undefined && (KV_SHAPE_KEYS as readonly string[]).includes(key)));
  if (needed.length > 0) {
    if (overrides.name !== undefined && catalog === undefined) {
      const close = modelNames().filter((name) => name.toLowerCase().includes(overrides.name!.toLowerCase().replace(/-mlx$/, '').slice(0, 10)));
      const hint = close.length > 0 ? ` (did you mean ${close.map((name) => `"${name}"`).join(' or ')}?)` : '';
      return { problem: { key: 'name', message: `"${overrides.name}" is not in memtier's model catalog${hint}; name one of ${modelNames().map((name) => `"${name}"`).join(', ')}, or give the model's numbers (missing: ${needed.join(', ')})` } };
    }
    return { problem: { key: undefined, message: `names no catalog model, so it needs every number of the estimate (missing: ${needed.join(', ')})` } };
  }
  const complete = numbers as ModelNumbers;
  const perToken = overrides.kvBytesPerToken ?? kvBytesPerToken(complete);
  sources.kvBytesPerToken = overrides.kvBytesPerToken !== undefined
    ? given
    : { kind: KV_SHAPE_KEYS.some((key) => sources[key]?.kind === 'estimated') ? 'estimated' : 'exact', source: '2 (a key and a value) x layers x kvHeads x headDim x kvBytesPerValue' };
  const measured = catalog && !MEASURED_UNLESS.some((key) => overrides[key] !== undefined) ? measuredFigures(catalog.name) : [];
  return {
    model: {
      name: catalog?.name ?? overrides.name ?? 'the policy\'s model',
      ...(catalog ? { catalog } : {}),
      numbers: {
        ...complete,
        kvBytesPerToken: perToken,
        ...(catalog?.fixedImageTokens ? { fixedImageTokens: catalog.fixedImageTokens.tokens } : {}),
        ...(measured.length > 0 ? { measured } : {}),
      },
      sources: sources as ResolvedModel['sources'],
    },
  };
}
