/**
 * What one answer needs at a tier's limits. Pure: the model's numbers come in resolved
 * (devices/models.ts), with the figures measured for it (devices/measured.ts) when it was measured.
 *
 *   peak = weights
 *        + kvBytesPerToken x KV tokens
 *        + cacheLimit
 *        + activations
 *
 *   KV tokens: maxTokens + promptTokens + image tokens + layout tokens, rounded up to
 *   KVCacheSimple's steps of 256 tokens (mlx-swift-lm Libraries/MLXLMCommon/KVCache.swift,
 *   `step = 256`, 2.29.2 to 3.31.4: the cache grows by whole steps).
 *
 *   image tokens: the image's longest edge is `longestEdge` when the processor enlarges images
 *   (mlx-swift-lm before 3.31.4), else min(imageSize, longestEdge); it is cut into tiles of
 *   `tileSize` (a square image, the most tiles for that edge: ceil(edge / tileSize)^2), plus one
 *   downscaled global image, always (SmolVLM2.swift `prepare(input:)`: `tiles + [global]`); each
 *   becomes `tokensPerTile` tokens. Layout tokens: `<fake_token_around_image><row_r_col_c>` per
 *   tile, a newline per row, and four around the global image (`getImagePromptString`). A model
 *   whose processor does not tile (`fixedImageTokens`: mlx-swift-lm's Idefics3 processor puts one
 *   `<image>` token in the prompt) has that many image tokens and no layout.
 *
 *   activations: for a model measured with the real MLX (tools/measure/), at the image shape of the
 *   tier under the release the estimate stands for (`upscalesImages`: before 3.31.4, measured on
 *   2.29.2; else 3.31.4), the larger of the measured vision and prefill activations plus one
 *   decoding step's temporaries: the peak is the largest of those stages, and adding the whole KV
 *   cache to it keeps the estimate above each. Otherwise the model's `activations` allowance.
 */

/** KVCacheSimple allocates keys and values in steps of this many tokens. */
export const KV_STEP = 256;

/** The tokens KVCacheSimple has allocated room for when it holds `tokens`: whole steps. */
export function kvStepTokens(tokens: number): number {
  return Math.ceil(tokens / KV_STEP) * KV_STEP;
}

/* The figures measured with the real MLX, as src/devices/measured.ts holds them (scripts/measured-figures.mjs writes it). */

/** One measuring run: the command, when, and the versions it ran with. */
export interface MeasuredRun {
  file: string;
  command: string;
  /** The day the run started, UTC. */
  date: string;
  seconds: number;
  versions: string;
}

/** A tier of the measured policy, at one image shape. */
export interface MeasuredTier {
  tier: string;
  maxTokens: number;
  cacheLimit: bigint;
  /** Tokens in the KV cache at the end of the answer (prompt and maxTokens), and the bytes KVCacheSimple allocated for them. */
  kvTokens: number;
  kvCache: bigint;
  /** MLX's peak active memory over the answer, Metal equivalent, and its stage; and as measured on the CPU. */
  peak: bigint;
  peakStage: 'vision' | 'prefill' | 'decode';
  cpuPeak: bigint;
}

/** One model, release and image shape. */
export interface MeasuredShape {
  model: string;
  release: '2.29.2' | '3.31.4';
  shape: string;
  /** Tiles per side (0: the processor does not tile). */
  tilesPerSide: number;
  pictures: number;
  imageTokens: number;
  layoutTokens: number;
  promptTokens: number;
  weights: bigint;
  /** Activations of the vision encoding, above the weights (Metal equivalent), and where the figure comes from. */
  vision: bigint;
  visionSource: string;
  /** Activations of the prefill, above the weights and the prompt's KV cache (Metal equivalent). */
  prefill: bigint;
  /** The temporaries of one decoding step, above the weights and the KV cache. */
  decodeStep: bigint;
  /** Which figures are extrapolated, and from what. */
  extrapolated: string;
  /** Index in MEASURED_RUNS of the run, and of the run the vision figure comes from when another. */
  run: number;
  visionRun?: number;
  tiers: readonly MeasuredTier[];
}

/** The numbers of a model that the estimate reads (devices/models.ts adds where they come from). */
export interface ModelMemory {
  /** Bytes of weights as loaded. */
  weights: bigint;
  /** Bytes of KV cache one token costs. */
  kvBytesPerToken: bigint;
  /** The side of one image tile, in pixels (`max_image_size.longest_edge`). */
  tileSize: number;
  /** Tokens one tile becomes (`image_seq_len`). */
  tokensPerTile: number;
  /** The longest edge images are resized to before tiling (`size.longest_edge`). */
  longestEdge: number;
  /** Whether the processor enlarges every image to `longestEdge` first (mlx-swift-lm before 3.31.4). */
  upscalesImages: boolean;
  /** Tokens of chat template, system prompt and question, besides the image and the answer. */
  promptTokens: number;
  /** A fixed allowance for activations and temporary buffers, for what was not measured. */
  activations: bigint;
  /** Tokens every image becomes when the processor does not tile it (no layout tokens). */
  fixedImageTokens?: number;
  /** The figures measured for this model (devices/measured.ts), per release and image shape. */
  measured?: readonly MeasuredShape[];
}

/** The tier values the estimate reads. */
export interface TierMemory {
  maxTokens: number;
  imageSize: number;
  cacheLimit: bigint;
}

/** How an image of a tier's size becomes tokens. */
export interface ImageTokens {
  /** The longest edge the processor tiles. */
  edge: number;
  tilesPerSide: number;
  /** Tiles plus the global image. */
  pictures: number;
  tokens: number;
  /** Text tokens the processor lays out around the image tokens. */
  layout: number;
}

/** The measured figures an estimate took its activations from, and those of the measured tier with its maxTokens. */
export interface EstimateMeasurement {
  shape: MeasuredShape;
  tier?: MeasuredTier;
}

/** The estimate, term by term. */
export interface TierEstimate {
  weights: bigint;
  /** total: answer + prompt + image + layout; cached: total rounded up to KVCacheSimple's steps. */
  tokens: { answer: number; prompt: number; image: number; layout: number; total: number; cached: number };
  image: ImageTokens;
  kvCache: bigint;
  cacheLimit: bigint;
  activations: bigint;
  total: bigint;
  /** The mlx-swift-lm release the estimate stands for: before 3.31.4 (measured on 2.29.2), or 3.31.4 and later. */
  release: '2.29.2' | '3.31.4';
  /** Present when the activations are measured ones (else they are the model's allowance). */
  measured?: EstimateMeasurement;
}

/** The tokens one image of `imageSize` pixels becomes. */
export function imageTokens(model: ModelMemory, imageSize: number): ImageTokens {
  if (model.fixedImageTokens !== undefined) return { edge: model.tileSize, tilesPerSide: 1, pictures: 1, tokens: model.fixedImageTokens, layout: 0 };
  const edge = model.upscalesImages ? model.longestEdge : Math.min(imageSize, model.longestEdge);
  const tilesPerSide = Math.ceil(edge / model.tileSize);
  const tiles = tilesPerSide * tilesPerSide;
  return { edge, tilesPerSide, pictures: tiles + 1, tokens: (tiles + 1) * model.tokensPerTile, layout: tiles * 2 + tilesPerSide + 4 };
}

/** The release whose measurements stand for the model's processor: 2.29.2 when it enlarges images (before 3.31.4), else 3.31.4. */
export function measuredRelease(model: Pick<ModelMemory, 'upscalesImages'>): '2.29.2' | '3.31.4' {
  return model.upscalesImages ? '2.29.2' : '3.31.4';
}

/** The measured figures for a tier's image under the model's release, when it was measured. */
export function measurementFor(model: ModelMemory, image: ImageTokens, maxTokens: number): EstimateMeasurement | undefined {
  const release = measuredRelease(model);
  const shape = model.measured?.find((each) => each.release === release && each.imageTokens === image.tokens && each.layoutTokens === image.layout);
  if (!shape) return undefined;
  const tier = shape.tiers.find((each) => each.maxTokens === maxTokens);
  return { shape, ...(tier ? { tier } : {}) };
}

/** Activations from measured stages: the larger of vision and prefill, plus a decoding step's temporaries. */
export function measuredActivations(shape: MeasuredShape): bigint {
  const stage = shape.vision > shape.prefill ? shape.vision : shape.prefill;
  return (stage > 0n ? stage : 0n) + shape.decodeStep;
}

/** The peak one answer needs at `tier`'s limits, term by term. */
export function estimateTier(model: ModelMemory, tier: TierMemory): TierEstimate {
  const image = imageTokens(model, tier.imageSize);
  const total = tier.maxTokens + model.promptTokens + image.tokens + image.layout;
  const tokens = { answer: tier.maxTokens, prompt: model.promptTokens, image: image.tokens, layout: image.layout, total, cached: kvStepTokens(total) };
  const kvCache = model.kvBytesPerToken * BigInt(tokens.cached);
  const measured = measurementFor(model, image, tier.maxTokens);
  const activations = measured ? measuredActivations(measured.shape) : model.activations;
  return {
    weights: model.weights,
    tokens,
    image,
    kvCache,
    cacheLimit: tier.cacheLimit,
    activations,
    total: model.weights + kvCache + tier.cacheLimit + activations,
    release: measuredRelease(model),
    ...(measured ? { measured } : {}),
  };
}

/** What is left under a ceiling: bytes (negative when over) and the share of the ceiling. */
export function headroom(estimate: bigint, ceiling: bigint): { bytes: bigint; percent: number } {
  const bytes = ceiling - estimate;
  return { bytes, percent: Number((bytes * 10_000n) / ceiling) / 100 };
}

/** Under this share of a ceiling left, the estimate is tight. */
export const TIGHT_PERCENT = 10;
/** A device with at least this share left above the estimate has room the tier does not use. */
export const ROOM_PERCENT = 25;
