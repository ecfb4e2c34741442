// Stand-in for MLXLMCommon, for memtier's tests: the tokenizer protocols of mlx-swift-lm 3.31.4
// (Libraries/MLXLMCommon/Tokenizer.swift, TokenizerLoader.swift). 3.x dropped swift-transformers:
// `ModelContext.tokenizer` is this protocol, which has `decode(tokenIds:)` where 2.x's had
// `decode(tokens:)`; a `TokenizerLoader` makes one from a model folder. The streaming detokenizers
// are left out.

import Foundation

/// `Tokenizer`: text to token ids and back, and the chat template.
public protocol Tokenizer: Sendable {
  func encode(text: String, addSpecialTokens: Bool) -> [Int]
  func decode(tokenIds: [Int], skipSpecialTokens: Bool) -> String
  func convertTokenToId(_ token: String) -> Int?
  func convertIdToToken(_ id: Int) -> String?

  var bosToken: String? { get }
  var eosToken: String? { get }
  var unknownToken: String? { get }

  func applyChatTemplate(
    messages: [[String: any Sendable]],
    tools: [[String: any Sendable]]?,
    additionalContext: [String: any Sendable]?
  ) throws -> [Int]
}

extension Tokenizer {
  public func encode(text: String) -> [Int] {
    encode(text: text, addSpecialTokens: true)
  }

  public func decode(tokenIds: [Int]) -> String {
    decode(tokenIds: tokenIds, skipSpecialTokens: false)
  }

  public var eosTokenId: Int? { eosToken.flatMap(convertTokenToId) }

  public var unknownTokenId: Int? { unknownToken.flatMap(convertTokenToId) }

  public func applyChatTemplate(messages: [[String: any Sendable]]) throws -> [Int] {
    try applyChatTemplate(messages: messages, tools: nil, additionalContext: nil)
  }

  public func applyChatTemplate(
    messages: [[String: any Sendable]], tools: [[String: any Sendable]]?
  ) throws -> [Int] {
    try applyChatTemplate(messages: messages, tools: tools, additionalContext: nil)
  }
}

/// `TokenizerError`.
public enum TokenizerError: LocalizedError {
  case missingChatTemplate

  public var errorDescription: String? { "no chat template" }
}

/// `TokenizerLoader`: makes the tokenizer of a downloaded model.
public protocol TokenizerLoader: Sendable {
  func load(from directory: URL) async throws -> any Tokenizer
}
