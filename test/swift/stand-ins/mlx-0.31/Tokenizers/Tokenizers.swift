// Stand-in for huggingface/swift-transformers 1.3.0, module Tokenizers, for memtier's tests
// (Sources/Tokenizers/Tokenizer.swift): what the MLXHuggingFace tokenizer macros' expansions call,
// and the two type aliases that clash with MLXLMCommon's when a file imports both. Loading a
// tokenizer reads no file.

import Foundation
import Hub

/// `Message`: MLXLMCommon declares the same name.
public typealias Message = [String: any Sendable]

/// `ToolSpec`: MLXLMCommon declares the same name.
public typealias ToolSpec = [String: any Sendable]

/// `TokenizerError`, the cases the adapters meet.
public enum TokenizerError: LocalizedError {
  case missingConfig
  case missingChatTemplate
}

/// `Tokenizer`: the requirements an adapter to MLXLMCommon's protocol calls.
public protocol Tokenizer: Sendable {
  func encode(text: String, addSpecialTokens: Bool) -> [Int]
  func decode(tokens: [Int], skipSpecialTokens: Bool) -> String
  func convertTokenToId(_ token: String) -> Int?
  func convertIdToToken(_ id: Int) -> String?
  var bosToken: String? { get }
  var eosToken: String? { get }
  var unknownToken: String? { get }
  func applyChatTemplate(
    messages: [Message], tools: [ToolSpec]?, additionalContext: [String: any Sendable]?
  ) throws -> [Int]
}

/// `AutoTokenizer`: loads the tokenizer a model folder describes.
public enum AutoTokenizer {}

extension AutoTokenizer {
  /// `from(modelFolder:hubApi:strict:)`.
  public static func from(
    modelFolder: URL, hubApi: HubApi = .shared, strict: Bool = true
  ) async throws -> Tokenizer {
    FolderTokenizer()
  }
}

/// What `AutoTokenizer` gives here: every text is three tokens.
struct FolderTokenizer: Tokenizer {
  func encode(text: String, addSpecialTokens: Bool) -> [Int] { [1, 2, 3] }
  func decode(tokens: [Int], skipSpecialTokens: Bool) -> String { "" }
  func convertTokenToId(_ token: String) -> Int? { nil }
  func convertIdToToken(_ id: Int) -> String? { nil }
  var bosToken: String? { nil }
  var eosToken: String? { nil }
  var unknownToken: String? { nil }

  func applyChatTemplate(
    messages: [Message], tools: [ToolSpec]?, additionalContext: [String: any Sendable]?
  ) throws -> [Int] { [1, 2, 3] }
}
