// Stand-in for MLXLMCommon, for memtier's tests. Declarations identical in mlx-swift-lm 2.29.2 and
// 2.30.6 (Libraries/MLXLMCommon/Evaluate.swift): the generation parameters and statistics, both
// changed in 3.x (see ../../mlx-0.31/).

import Foundation

/// `GenerateParameters` (Evaluate.swift): the real initializer's labels, order and defaults.
public struct GenerateParameters: Sendable {
  // Sampling.
  public var temperature: Float
  public var topP: Float
  public var repetitionPenalty: Float?
  public var repetitionContextSize: Int
  // Length and the KV cache.
  public var maxTokens: Int?
  public var maxKVSize: Int?
  public var kvBits: Int?
  public var kvGroupSize: Int
  public var quantizedKVStart: Int
  public var prefillStepSize: Int

  public init(
    maxTokens: Int? = nil,
    maxKVSize: Int? = nil,
    kvBits: Int? = nil,
    kvGroupSize: Int = 64,
    quantizedKVStart: Int = 0,
    temperature: Float = 0.6,
    topP: Float = 1.0,
    repetitionPenalty: Float? = nil,
    repetitionContextSize: Int = 20,
    prefillStepSize: Int = 512
  ) {
    (self.temperature, self.topP) = (temperature, topP)
    (self.repetitionPenalty, self.repetitionContextSize) = (repetitionPenalty, repetitionContextSize)
    (self.maxTokens, self.maxKVSize, self.prefillStepSize) = (maxTokens, maxKVSize, prefillStepSize)
    (self.kvBits, self.kvGroupSize, self.quantizedKVStart) = (kvBits, kvGroupSize, quantizedKVStart)
  }
}

/// `GenerateCompletionInfo` (Evaluate.swift): the statistics members both releases share
/// (2.30.6 adds `stopReason`, which nothing here reads).
public struct GenerateCompletionInfo: Sendable {
  public let promptTokenCount: Int
  public let generationTokenCount: Int
  public let promptTime: TimeInterval
  public let generateTime: TimeInterval

  public var promptTokensPerSecond: Double { Double(promptTokenCount) / promptTime }
  public var tokensPerSecond: Double { Double(generationTokenCount) / generateTime }
}

/// The statistics a stand-in generation reports (StandInGeneration.swift), built as this release
/// builds them.
func standInCompletionInfo(tokens: Int) -> GenerateCompletionInfo {
  GenerateCompletionInfo(
    promptTokenCount: 1, generationTokenCount: tokens, promptTime: 0.1, generateTime: 0.1)
}
