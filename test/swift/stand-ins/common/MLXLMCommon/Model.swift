// Stand-in for MLXLMCommon, for memtier's tests. Declarations identical in mlx-swift-lm 2.29.2 and
// 2.30.6: ModelConfiguration.swift, LanguageModel.swift, ModelFactory.swift, Module+Extensions.swift.
// Defaulted parameters that nothing here passes are left out: `hub: HubApi` (swift-transformers'
// Hub is not stood in), `preparePrompt`, `eosTokenIds`, `toolCallFormat`.

import Foundation
import MLX
import MLXNN

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

/// `KVCache` (KVCache.swift), only as a type.
public protocol KVCache {}

/// `LanguageModel` (LanguageModel.swift): a `Module`. Its requirements (MLXArray in, logits out) are
/// left out: nothing here calls them.
public protocol LanguageModel: Module {}

/// `LMInput` (LanguageModel.swift): prepared model input. Not Sendable in either release.
public struct LMInput {
  /// `LMInput.Text`.
  public struct Text {
    public let tokens: MLXArray
    public let mask: MLXArray?
  }

  public let text: Text

  /// `LMInput(tokens:mask:)`.
  public init(tokens: MLXArray, mask: MLXArray? = nil) {
    text = Text(tokens: tokens, mask: mask)
  }
}

/// `ModelContext` (ModelFactory.swift): a loaded model with its processor. Not Sendable.
public struct ModelContext {
  public var configuration: ModelConfiguration
  public var model: any LanguageModel
  public var processor: any UserInputProcessor
  public var tokenizer: Tokenizer

  public init(
    configuration: ModelConfiguration, model: any LanguageModel,
    processor: any UserInputProcessor, tokenizer: any Tokenizer
  ) {
    self.configuration = configuration
    self.model = model
    self.processor = processor
    self.tokenizer = tokenizer
  }
}

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

extension Module {
  /// `numParameters()` (Module+Extensions.swift); the stand-in model has none.
  public func numParameters() -> Int { 0 }
}
