// Stand-in for MLXLMCommon, for memtier's tests. Declarations identical in mlx-swift-lm 2.29.2,
// 2.30.6 and 3.31.4 (Libraries/MLXLMCommon/Evaluate.swift, Tool/ToolCall.swift): what a generation
// yields. The parameters and the statistics differ (see the era folders).

import Foundation

/// `GenerateDisposition` (Evaluate.swift): what a `didGenerate` visitor answers.
public enum GenerateDisposition: Sendable {
  case more
  case stop
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
