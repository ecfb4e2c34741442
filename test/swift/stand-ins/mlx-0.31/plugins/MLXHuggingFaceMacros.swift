// memtier's own implementation of mlx-swift-lm 3.31.4's MLXHuggingFace macros, for its tests: the
// compiler plugin the harness builds with the toolchain's swift-syntax (test/swift/harness.ts) and
// loads where the stand-in macros (../MLXHuggingFace/Macros.swift) are expanded. The expansions are
// written here, not copied; they keep what decides whether a file that uses them compiles: the same
// result types, an immediately called closure that declares a local conforming type, the modules
// they name (`HuggingFace.HubClient` and `Repo.ID` for the downloader, `Tokenizers.AutoTokenizer`
// for the tokenizer loader, so that the file must import both, as with the real macros), and the
// free functions the loading macros call (`loadModelContainer`, `loadModel`).

import SwiftSyntax
import SwiftSyntaxMacros

/// `#hubDownloader()` and `#hubDownloader(client)`: a `Downloader` over a `HubClient`.
public struct DownloaderMacro: ExpressionMacro {
  public static func expansion(
    of node: some FreestandingMacroExpansionSyntax, in context: some MacroExpansionContext
  ) throws -> ExprSyntax {
    let client = node.arguments.first.map { "\($0.expression)" } ?? "HuggingFace.HubClient()"
    return """
      { (client: HuggingFace.HubClient) -> MLXLMCommon.Downloader in
          struct SnapshotDownloader: MLXLMCommon.Downloader {
              let client: HuggingFace.HubClient

              func download(
                  id: String, revision: String?, matching patterns: [String], useLatest: Bool,
                  progressHandler: @Sendable @escaping (Foundation.Progress) -> Void
              ) async throws -> URL {
                  guard let repository = HuggingFace.Repo.ID(rawValue: id) else {
                      throw HuggingFaceDownloaderError.invalidRepositoryID(id)
                  }
                  return try await client.downloadSnapshot(
                      of: repository, revision: revision ?? "main", matching: patterns,
                      progressHandler: { @MainActor progress in progressHandler(progress) })
              }
          }
          return SnapshotDownloader(client: client)
      }(\(raw: client))
      """
  }
}

/// `#adaptHuggingFaceTokenizer(tokenizer)`: swift-transformers' tokenizer as MLXLMCommon's.
public struct TokenizerAdaptorMacro: ExpressionMacro {
  public static func expansion(
    of node: some FreestandingMacroExpansionSyntax, in context: some MacroExpansionContext
  ) throws -> ExprSyntax {
    guard let upstream = node.arguments.first?.expression else {
      throw MacroError("#adaptHuggingFaceTokenizer takes the tokenizer to adapt")
    }
    return """
      { (upstream: any Tokenizers.Tokenizer) -> MLXLMCommon.Tokenizer in
          struct AdaptedTokenizer: MLXLMCommon.Tokenizer {
              let upstream: any Tokenizers.Tokenizer

              func encode(text: String, addSpecialTokens: Bool) -> [Int] {
                  upstream.encode(text: text, addSpecialTokens: addSpecialTokens)
              }
              func decode(tokenIds: [Int], skipSpecialTokens: Bool) -> String {
                  upstream.decode(tokens: tokenIds, skipSpecialTokens: skipSpecialTokens)
              }
              func convertTokenToId(_ token: String) -> Int? { upstream.convertTokenToId(token) }
              func convertIdToToken(_ id: Int) -> String? { upstream.convertIdToToken(id) }
              var bosToken: String? { upstream.bosToken }
              var eosToken: String? { upstream.eosToken }
              var unknownToken: String? { upstream.unknownToken }
              func applyChatTemplate(
                  messages: [[String: any Sendable]], tools: [[String: any Sendable]]?,
                  additionalContext: [String: any Sendable]?
              ) throws -> [Int] {
                  do {
                      return try upstream.applyChatTemplate(
                          messages: messages, tools: tools, additionalContext: additionalContext)
                  } catch Tokenizers.TokenizerError.missingChatTemplate {
                      throw MLXLMCommon.TokenizerError.missingChatTemplate
                  }
              }
          }
          return AdaptedTokenizer(upstream: upstream)
      }(\(upstream))
      """
  }
}

/// `#huggingFaceTokenizerLoader()`: a `TokenizerLoader` over swift-transformers' `AutoTokenizer`.
public struct TokenizerLoaderMacro: ExpressionMacro {
  public static func expansion(
    of node: some FreestandingMacroExpansionSyntax, in context: some MacroExpansionContext
  ) throws -> ExprSyntax {
    """
    { () -> MLXLMCommon.TokenizerLoader in
        struct AutoTokenizerLoader: MLXLMCommon.TokenizerLoader {
            func load(from directory: URL) async throws -> any MLXLMCommon.Tokenizer {
                let upstream = try await Tokenizers.AutoTokenizer.from(modelFolder: directory)
                return #adaptHuggingFaceTokenizer(upstream)
            }
        }
        return AutoTokenizerLoader()
    }()
    """
  }
}

/// `#huggingFaceLoadModelContainer(configuration:)`, with or without `progressHandler:`.
public struct LoadContainerMacro: ExpressionMacro {
  public static func expansion(
    of node: some FreestandingMacroExpansionSyntax, in context: some MacroExpansionContext
  ) throws -> ExprSyntax {
    try loadCall("loadModelContainer", node)
  }
}

/// `#huggingFaceLoadModel(configuration:)`, with or without `progressHandler:`.
public struct LoadContextMacro: ExpressionMacro {
  public static func expansion(
    of node: some FreestandingMacroExpansionSyntax, in context: some MacroExpansionContext
  ) throws -> ExprSyntax {
    try loadCall("loadModel", node)
  }
}

/// `function(from: #hubDownloader(), using: #huggingFaceTokenizerLoader(), configuration: ...,
/// progressHandler: ...)`, the progress handler `{ _ in }` when none is given.
private func loadCall(
  _ function: String, _ node: some FreestandingMacroExpansionSyntax
) throws -> ExprSyntax {
  guard let configuration = node.arguments.first?.expression else {
    throw MacroError("#\(node.macroName.text) takes a configuration")
  }
  let handler = node.arguments.first { $0.label?.text == "progressHandler" }?.expression
  let progress = handler.map { "\($0)" } ?? "{ _ in }"
  return """
    \(raw: function)(
        from: #hubDownloader(), using: #huggingFaceTokenizerLoader(),
        configuration: \(configuration), progressHandler: \(raw: progress))
    """
}

/// A macro used wrongly.
struct MacroError: Error, CustomStringConvertible {
  let description: String

  init(_ description: String) { self.description = description }
}
