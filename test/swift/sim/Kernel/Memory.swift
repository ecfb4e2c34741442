// The app's memory footprint on the simulated iPhone, term by term, from memtier's own estimate
// (src/policy/memory-estimate.ts): weights, the KV cache of the tokens so far, the prompt's and
// the image's tokens, activations while the prompt runs, and MLX's buffer cache.
//
// Rules (each no kinder than the real thing):
// - Weights count from the first byte read: a load's footprint rises with its progress, and a
//   model stays resident until its container is released (the stand-in records "ModelContainer
//   released" when the last reference goes).
// - The KV cache grows in steps of 256 tokens (mlx-swift-lm 2.29.2 KVCache.swift, KVCacheSimple
//   `step = 256`); a step allocates the new buffer before the old one is freed into MLX's cache.
// - Activations: the estimate's activations for the tier (`tier.activations`: for a model measured
//   with the real MLX, the larger of its measured vision and prefill activations at the tier's
//   image shape, tools/measure/REPORT.md; else the model's allowance) while the prompt is
//   evaluated, freed into MLX's cache when the first token comes.
// - MLX's buffer cache (mlx Metal allocator): freed buffers stay cached up to the cache limit, the
//   rest goes back to the system; an allocation reuses cached bytes first; `clearCache` empties it.
//   A quarter of every freed amount is never reused (buffers of other sizes): an unbounded cache
//   "has been seen to grow by hundreds of MB per turn until the app is killed" (memtier's
//   facts.md, section 3). With no cache limit set, MLX's default is its memory limit, which on a
//   phone is above the app's limit: unbounded here.
// - Above the memory limit MLX frees its cache before it allocates (it never refuses).
// - The app's own baseline (its code, UIKit, images on screen) is counted too; the catalog's app
//   limits are measured as the memory available at launch, so the limit is that plus this
//   baseline, and the baseline's value changes no kill.

/// Bytes in one MiB.
public let mebibyte: UInt64 = 1 << 20

/// The app's memory, term by term.
public struct Ledger: Sendable {
  /// The app without the model.
  public var baseline: UInt64 = 48 * mebibyte
  /// Models loaded and not yet released.
  public var residentCopies = 0
  /// Bytes read so far by each load in flight, by load number.
  public var loading: [Int: UInt64] = [:]
  /// KV bytes allocated by each generation, by generation number.
  public var kvCache: [Int: UInt64] = [:]
  /// Activation bytes held by each generation evaluating its prompt.
  public var activations: [Int: UInt64] = [:]
  /// MLX's buffer cache: bytes that a later allocation may reuse.
  public var reusableCache: UInt64 = 0
  /// MLX's buffer cache: bytes that no later allocation reuses.
  public var strandedCache: UInt64 = 0
  /// The app's MLX cache limit; nil: MLX's default (unbounded here).
  public var cacheLimit: UInt64?
  /// The app's MLX memory limit; nil: MLX's default (above the app's limit).
  public var memoryLimit: UInt64?
  /// The model's weights.
  public let weights: UInt64

  public init(weights: UInt64) { self.weights = weights }

  /// MLX's cache, all of it.
  public var cache: UInt64 { reusableCache + strandedCache }

  /// What the system counts against the app (`phys_footprint`).
  public var footprint: UInt64 {
    baseline + UInt64(residentCopies) * weights + loading.values.reduce(0, +)
      + kvCache.values.reduce(0, +) + activations.values.reduce(0, +) + cache
  }

  /// Copies of the model in memory or on their way: resident ones and loads in flight.
  public var copies: Int { residentCopies + loading.count }

  /// Takes `bytes` for MLX: from the reusable cache first; above the memory limit the cache is
  /// freed first.
  public mutating func allocate(_ bytes: UInt64) {
    let reused = min(bytes, reusableCache)
    reusableCache -= reused
    if let memoryLimit, footprint + (bytes - reused) > memoryLimit {
      reusableCache = 0
      strandedCache = 0
    }
  }

  /// Gives `bytes` back to MLX: into its cache up to the cache limit, a quarter of it never to be
  /// reused; the rest to the system.
  public mutating func free(_ bytes: UInt64) {
    let room = cacheLimit.map { $0 > cache ? $0 - cache : 0 } ?? bytes
    let kept = min(bytes, room)
    let stranded = kept / 4
    strandedCache += stranded
    reusableCache += kept - stranded
  }

  /// `clearCache()`: the cache goes back to the system.
  public mutating func clearCache() {
    reusableCache = 0
    strandedCache = 0
  }

  /// A new cache limit: the cache shrinks to it at the next allocation or free (here at once).
  public mutating func setCacheLimit(_ bytes: UInt64) {
    cacheLimit = bytes
    if cache > bytes {
      let over = cache - bytes
      let fromStranded = min(over, strandedCache)
      strandedCache -= fromStranded
      reusableCache -= min(over - fromStranded, reusableCache)
    }
  }

  /// The KV cache bytes for `tokens` tokens, in whole steps of 256 tokens.
  public static func kvBytes(tokens: Int, perToken: UInt64) -> UInt64 {
    let steps = (tokens + 255) / 256
    return UInt64(steps * 256) * perToken
  }

  /// Grows generation `id`'s KV cache to hold `tokens` tokens: a new buffer, then the old one
  /// freed. Returns the footprint in between, when both are held.
  @discardableResult
  public mutating func growKV(_ id: Int, tokens: Int, perToken: UInt64) -> UInt64 {
    let wanted = Self.kvBytes(tokens: tokens, perToken: perToken)
    let held = kvCache[id] ?? 0
    guard wanted > held else { return footprint }
    allocate(wanted)
    kvCache[id] = wanted
    let transient = footprint + held
    if held > 0 { free(held) }
    return transient
  }

  /// Generation `id` ends: its KV cache and activations are freed into MLX's cache.
  public mutating func endGeneration(_ id: Int) {
    let held = (kvCache.removeValue(forKey: id) ?? 0) + (activations.removeValue(forKey: id) ?? 0)
    if held > 0 { free(held) }
  }
}
