// Stand-in for MLXLMCommon, for memtier's tests: what a generation yields on mlx-swift-lm's main
// branch after 3.31.4 (commit 1441444, August 2026; Libraries/MLXLMCommon/Evaluate.swift and
// Tool/RejectedToolCall.swift). It replaces common/MLXLMCommon/Generation.swift in the `lm-main`
// variant of the mlx-0.31 stand-ins: the one change the generated code could meet is the fourth
// case of `Generation`, which makes a `switch` over the three cases of 3.31.4 non-exhaustive.

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

/// `RejectedToolCall` (Tool/RejectedToolCall.swift), only its reason: the payload of
/// `Generation.rejectedToolCall`.
public struct RejectedToolCall: Hashable, Sendable {
  public enum Reason: String, Hashable, Sendable, CaseIterable {
    case malformedSyntax = "malformed_syntax"
    case incompleteOutput = "incomplete_output"
    case missingToolName = "missing_tool_name"
    case undeclaredTool = "undeclared_tool"
    case invalidArguments = "invalid_arguments"
  }
  public let reason: Reason
}

/// `Generation` (Evaluate.swift): one element of the stream that `generate(input:parameters:context:)`
/// returns.
public enum Generation: Sendable {
  case chunk(String)
  case info(GenerateCompletionInfo)
  case toolCall(ToolCall)
  case rejectedToolCall(RejectedToolCall)

  public var chunk: String? {
    guard case .chunk(let text) = self else { return nil }
    return text
  }

  public var info: GenerateCompletionInfo? {
    guard case .info(let summary) = self else { return nil }
    return summary
  }

  public var toolCall: ToolCall? {
    guard case .toolCall(let call) = self else { return nil }
    return call
  }

  public var rejectedToolCall: RejectedToolCall? {
    guard case .rejectedToolCall(let rejection) = self else { return nil }
    return rejection
  }

  /// Reducer for `_throttle`: gathers elements into a batch.
  @Sendable
  public static func collect(_ batch: [Generation]?, _ element: Generation) -> [Generation] {
    (batch ?? []) + [element]
  }
}
