/**
 * The design document's memory arithmetic (section 2), as a formula: what one answer needs at a
 * tier's limits. Pure: the model's numbers come in resolved (devices/models.ts).
 *
 *   peak = weights
 *        + kvBytesPerToken x (maxTokens + promptTokens + imageTokens(imageSize))
 *        + cacheLimit
 *        + activations
 *
 *   imageTokens: the image's longest edge is `longestEdge` when the processor enlarges images
 *   (mlx-swift-lm before 3.31.4), else min(imageSize, longestEdge); it is cut into tiles of
 *   `tileSize` (a square image, the most tiles for that edge: ceil(edge / tileSize)^2), plus one
 *   downscaled global image when there is more than one tile; each becomes `tokensPerTile` tokens.
 */

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
  /** A fixed allowance for activations and temporary buffers. */
  activations: bigint;
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
  /** Tiles plus the global image (when there is more than one tile). */
  pictures: number;
  tokens: number;
}

/** The estimate, term by term. */
export interface TierEstimate {
  weights: bigint;
  tokens: { answer: number; prompt: number; image: number; total: number };
  image: ImageTokens;
  kvCache: bigint;
  cacheLimit: bigint;
  activations: bigint;
  total: bigint;
}

/** The tokens one image of `imageSize` pixels becomes. */
export function imageTokens(model: ModelMemory, imageSize: number): ImageTokens {
  const edge = model.upscalesImages ? model.longestEdge : Math.min(imageSize, model.longestEdge);
  const tilesPerSide = Math.ceil(edge / model.tileSize);
  const tiles = tilesPerSide * tilesPerSide;
  const pictures = tiles > 1 ? tiles + 1 : 1;
  return { edge, tilesPerSide, pictures, tokens: pictures * model.tokensPerTile };
}

/** The peak one answer needs at `tier`'s limits, term by term. */
export function estimateTier(model: ModelMemory, tier: TierMemory): TierEstimate {
  const image = imageTokens(model, tier.imageSize);
  const tokens = { answer: tier.maxTokens, prompt: model.promptTokens, image: image.tokens, total: tier.maxTokens + model.promptTokens + image.tokens };
  const kvCache = model.kvBytesPerToken * BigInt(tokens.total);
  return {
    weights: model.weights,
    tokens,
    image,
    kvCache,
    cacheLimit: tier.cacheLimit,
    activations: model.activations,
    total: model.weights + kvCache + tier.cacheLimit + model.activations,
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
