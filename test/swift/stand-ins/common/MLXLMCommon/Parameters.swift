// Stand-in for MLXLMCommon, for memtier's tests. Declarations identical in mlx-swift-lm 2.29.2 and
// 2.30.6 (Libraries/MLXLMCommon/Evaluate.swift): generation parameters and what a generation yields.

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

/// `GenerateDisposition` (Evaluate.swift): what a `didGenerate` visitor answers.
public enum GenerateDisposition: Sendable {
  case more
  case stop
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

/// `ToolCall` (Tool/ToolCall.swift), only as the payload of `Generation.toolCall`.
public struct ToolCall: Sendable {
  public struct Function: Sendable {
    public let name: String
  }
  public let function: Function
}

/// `Generation` (Evaluate.swift): one element of the stream that `generate(input:parameters:context:)`
/// returns.
public enum Generation: Sendable {
  case chunk(String)
  case info(GenerateCompletionInfo)
  case toolCall(ToolCall)

  public var chunk: String? {
    if case .chunk(let string) = self { return string }
    return nil
  }

  public var info: GenerateCompletionInfo? {
    if case .info(let info) = self { return info }
    return nil
  }

  public var toolCall: ToolCall? {
    if case .toolCall(let call) = self { return call }
    return nil
  }

  /// Reducer for `_throttle`: gathers elements into a batch.
  @Sendable
  public static func collect(_ batch: [Generation]?, _ element: Generation) -> [Generation] {
    (batch ?? []) + [element]
  }
}
