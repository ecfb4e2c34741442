// Stand-in for MLXLMCommon, for memtier's tests: the loading declarations of mlx-swift-lm 2.29.2
// and 2.30.6, identical in both (3.x replaced them: see ../../mlx-0.31/): ModelConfiguration.swift,
// ModelFactory.swift, and swift-transformers' tokenizer type, which 2.x's `ModelContext` holds.
// Defaulted parameters that nothing here passes are left out: `hub: HubApi` (swift-transformers'
// Hub is not stood in), `preparePrompt`, `eosTokenIds`, `toolCallFormat`.

import Foundation

/// `ModelConfiguration` (ModelConfiguration.swift): which model to load.
public struct ModelConfiguration: Sendable {
  public enum Identifier: Sendable {
    case id(String, revision: String = "main")
    case directory(URL)
  }

  public var id: Identifier

  public var name: String {
    switch id {
    case .id(let id, _): id
    case .directory(let url): url.deletingLastPathComponent().lastPathComponent + "/" + url.lastPathComponent
    }
  }

  public let tokenizerId: String?
  public let overrideTokenizer: String?
  public var defaultPrompt: String
  public var extraEOSTokens: Set<String>

  public init(
    id: String, revision: String = "main",
    tokenizerId: String? = nil, overrideTokenizer: String? = nil,
    defaultPrompt: String = "hello",
    extraEOSTokens: Set<String> = []
  ) {
    self.id = .id(id, revision: revision)
    self.tokenizerId = tokenizerId
    self.overrideTokenizer = overrideTokenizer
    self.defaultPrompt = defaultPrompt
    self.extraEOSTokens = extraEOSTokens
  }
}

/// `Tokenizer` (swift-transformers' Tokenizers module, which MLXLMCommon uses), only as a type.
public protocol Tokenizer {}

/// `ModelFactory` (ModelFactory.swift), reduced to the container loader apps call.
public protocol ModelFactory: Sendable {
  func _loadContainer(
    configuration: ModelConfiguration,
    progressHandler: @Sendable @escaping (Progress) -> Void
  ) async throws -> ModelContainer
}

extension ModelFactory {
  /// `loadContainer(hub:configuration:progressHandler:)`.
  public func loadContainer(
    configuration: ModelConfiguration,
    progressHandler: @Sendable @escaping (Progress) -> Void = { _ in }
  ) async throws -> ModelContainer {
    try await _loadContainer(configuration: configuration, progressHandler: progressHandler)
  }
}
