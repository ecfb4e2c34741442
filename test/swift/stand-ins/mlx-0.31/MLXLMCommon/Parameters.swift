// Stand-in for MLXLMCommon, for memtier's tests: the generation parameters and statistics as
// mlx-swift-lm 3.31.4 declares them (Libraries/MLXLMCommon/Evaluate.swift). Against 2.30.6 the
// initializer takes top-k, min-p, presence and frequency penalties, a KV-cache scheme and a seed,
// all defaulted; the statistics gain a stop reason and speculative-decoding counts, and a public
// initializer whose label is `generationTime:`.

import Foundation

/// `GenerateParameters`: the real initializer's labels, order and defaults.
public struct GenerateParameters: Sendable {
  public var prefillStepSize: Int
  public var maxTokens: Int?
  public var maxKVSize: Int?
  public var kvBits: Int?
  public var kvGroupSize: Int
  public var quantizedKVStart: Int
  public var kvScheme: String?
  public var temperature: Float
  public var topP: Float
  public var topK: Int
  public var minP: Float
  public var seed: UInt64?
  public var repetitionPenalty: Float?
  public var repetitionContextSize: Int
  public var presencePenalty: Float?
  public var presenceContextSize: Int
  public var frequencyPenalty: Float?
  public var frequencyContextSize: Int

  public init(
    maxTokens: Int? = nil,
    maxKVSize: Int? = nil,
    kvBits: Int? = nil,
    kvGroupSize: Int = 64,
    quantizedKVStart: Int = 0,
    kvScheme: String? = nil,
    temperature: Float = 0.6,
    topP: Float = 1.0,
    topK: Int = 0,
    minP: Float = 0.0,
    repetitionPenalty: Float? = nil,
    repetitionContextSize: Int = 20,
    presencePenalty: Float? = nil,
    presenceContextSize: Int = 20,
    frequencyPenalty: Float? = nil,
    frequencyContextSize: Int = 20,
    prefillStepSize: Int = 512,
    seed: UInt64? = nil
  ) {
    (self.maxTokens, self.maxKVSize, self.prefillStepSize) = (maxTokens, maxKVSize, prefillStepSize)
    (self.kvBits, self.kvGroupSize, self.quantizedKVStart) = (kvBits, kvGroupSize, quantizedKVStart)
    (self.kvScheme, self.seed) = (kvScheme, seed)
    (self.temperature, self.topP, self.topK, self.minP) = (temperature, topP, topK, minP)
    (self.repetitionPenalty, self.repetitionContextSize) = (repetitionPenalty, repetitionContextSize)
    (self.presencePenalty, self.presenceContextSize) = (presencePenalty, presenceContextSize)
    (self.frequencyPenalty, self.frequencyContextSize) = (frequencyPenalty, frequencyContextSize)
  }
}

/// `GenerateStopReason`: why a generation ended.
public enum GenerateStopReason: Sendable {
  case stop
  case length
  case cancelled
}

/// `GenerateCompletionInfo`: a generation's statistics. The speculative-decoding telemetry is
/// left out (its type is not stood in).
public struct GenerateCompletionInfo: Sendable {
  public let promptTokenCount: Int
  public let generationTokenCount: Int
  public let promptTime: TimeInterval
  public let generateTime: TimeInterval
  public let stopReason: GenerateStopReason
  public let proposedDraftTokens: Int?
  public let acceptedDraftTokens: Int?
  public let passthroughReason: String?

  public var promptTokensPerSecond: Double { Double(promptTokenCount) / promptTime }
  public var tokensPerSecond: Double { Double(generationTokenCount) / generateTime }

  public init(
    promptTokenCount: Int,
    generationTokenCount: Int,
    promptTime: TimeInterval,
    generationTime: TimeInterval,
    stopReason: GenerateStopReason = .stop,
    proposedDraftTokens: Int? = nil,
    acceptedDraftTokens: Int? = nil,
    passthroughReason: String? = nil
  ) {
    (self.promptTokenCount, self.generationTokenCount) = (promptTokenCount, generationTokenCount)
    (self.promptTime, self.generateTime, self.stopReason) = (promptTime, generationTime, stopReason)
    (self.proposedDraftTokens, self.acceptedDraftTokens) = (proposedDraftTokens, acceptedDraftTokens)
    self.passthroughReason = passthroughReason
  }
}

/// The statistics a stand-in generation reports (StandInGeneration.swift), built as this release
/// builds them.
func standInCompletionInfo(tokens: Int) -> GenerateCompletionInfo {
  GenerateCompletionInfo(
    promptTokenCount: 1, generationTokenCount: tokens, promptTime: 0.1, generationTime: 0.1)
}
