// Stand-in for MLXLMCommon, for memtier's tests: loading as mlx-swift-lm 3.31.4 declares it
// (Libraries/MLXLMCommon/ModelConfiguration.swift, Downloader.swift, ModelFactory.swift). 3.x took
// out the Hugging Face defaults: every load names a `Downloader` (or a local folder) and a
// `TokenizerLoader`, with no default (`loadContainer(configuration:)` and `hub:` are gone), and
// `ModelConfiguration` has `tokenizerSource` in place of `tokenizerId`/`overrideTokenizer`. Left
// out: `toolCallFormat` (its type is not stood in), the factories' `modelRegistry` requirement and
// the registry lookups (no app code here calls them). Loading records a call; where files would be
// read, nothing is.

import Foundation
import StandInSupport

/// `ModelConfiguration`: which model to load.
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

  public let tokenizerSource: TokenizerSource?
  public var defaultPrompt: String
  public var extraEOSTokens: Set<String>
  public var stopStrings: Set<String>?
  public var eosTokenIds: Set<Int> = []

  public init(
    id: String, revision: String = "main",
    tokenizerSource: TokenizerSource? = nil,
    defaultPrompt: String = "",
    extraEOSTokens: Set<String> = [],
    stopStrings: Set<String>? = nil,
    eosTokenIds: Set<Int> = []
  ) {
    self.init(
      .id(id, revision: revision), tokenizerSource, defaultPrompt, extraEOSTokens, stopStrings,
      eosTokenIds)
  }

  public init(
    directory: URL,
    tokenizerSource: TokenizerSource? = nil,
    defaultPrompt: String = "",
    extraEOSTokens: Set<String> = [],
    stopStrings: Set<String>? = nil,
    eosTokenIds: Set<Int> = []
  ) {
    self.init(
      .directory(directory), tokenizerSource, defaultPrompt, extraEOSTokens, stopStrings,
      eosTokenIds)
  }

  private init(
    _ id: Identifier, _ tokenizerSource: TokenizerSource?, _ defaultPrompt: String,
    _ extraEOSTokens: Set<String>, _ stopStrings: Set<String>?, _ eosTokenIds: Set<Int>
  ) {
    (self.id, self.tokenizerSource, self.defaultPrompt) = (id, tokenizerSource, defaultPrompt)
    (self.extraEOSTokens, self.stopStrings, self.eosTokenIds) = (extraEOSTokens, stopStrings, eosTokenIds)
  }

  /// `resolved(modelDirectory:tokenizerDirectory:)`: this configuration, downloaded.
  public func resolved(modelDirectory: URL, tokenizerDirectory: URL) -> ResolvedModelConfiguration {
    ResolvedModelConfiguration(
      modelDirectory: modelDirectory, tokenizerDirectory: tokenizerDirectory, name: name,
      defaultPrompt: defaultPrompt, extraEOSTokens: extraEOSTokens, stopStrings: stopStrings,
      eosTokenIds: eosTokenIds)
  }
}

extension ModelConfiguration: Equatable {}

extension ModelConfiguration.Identifier: Equatable {}

/// `TokenizerSource` (Downloader.swift): where the tokenizer comes from, when not from the model.
public enum TokenizerSource: Sendable, Equatable {
  case id(String, revision: String? = nil)
  case directory(URL)
}

/// `Downloader` (Downloader.swift): fetches a model's files and returns their folder.
public protocol Downloader: Sendable {
  func download(
    id: String,
    revision: String?,
    matching patterns: [String],
    useLatest: Bool,
    progressHandler: @Sendable @escaping (Progress) -> Void
  ) async throws -> URL
}

/// `ResolvedModelConfiguration` (Downloader.swift): a configuration with its local folders.
public struct ResolvedModelConfiguration: Sendable {
  public var modelDirectory: URL
  public var tokenizerDirectory: URL
  public var name: String
  public var defaultPrompt: String
  public var extraEOSTokens: Set<String>
  public var stopStrings: Set<String>
  public var eosTokenIds: Set<Int>

  public init(
    modelDirectory: URL,
    tokenizerDirectory: URL,
    name: String,
    defaultPrompt: String,
    extraEOSTokens: Set<String>,
    stopStrings: Set<String>? = nil,
    eosTokenIds: Set<Int>
  ) {
    (self.modelDirectory, self.tokenizerDirectory, self.name) = (modelDirectory, tokenizerDirectory, name)
    (self.defaultPrompt, self.extraEOSTokens) = (defaultPrompt, extraEOSTokens)
    (self.stopStrings, self.eosTokenIds) = (stopStrings ?? extraEOSTokens, eosTokenIds)
  }
}

/// `ModelFactoryError` (ModelFactory.swift), the case the free functions throw here.
public enum ModelFactoryError: LocalizedError {
  case noModelFactoryAvailable

  public var errorDescription: String? { "no model factory" }
}

/// `GenericModelFactory` (ModelFactory.swift): what `VLMModelFactory` and `LLMModelFactory` are.
public protocol GenericModelFactory<ContextType, ContainerType>: Sendable {
  associatedtype ContextType
  associatedtype ContainerType: Sendable

  func _load(
    configuration: ResolvedModelConfiguration,
    tokenizerLoader: any TokenizerLoader
  ) async throws -> ContextType

  func _wrap(_ context: ContextType) -> ContainerType
}

extension GenericModelFactory {
  /// `load(from:using:configuration:useLatest:progressHandler:)`.
  public func load(
    from downloader: any Downloader,
    using tokenizerLoader: any TokenizerLoader,
    configuration: ModelConfiguration,
    useLatest: Bool = false,
    progressHandler: @Sendable @escaping (Progress) -> Void = { _ in }
  ) async throws -> sending ContextType {
    CallLog.shared.record("\(Self.self).load(\(configuration.name))")
    let resolved = try await resolve(
      configuration: configuration, from: downloader, useLatest: useLatest,
      progressHandler: progressHandler)
    return try await _load(configuration: resolved, tokenizerLoader: tokenizerLoader)
  }

  /// `loadContainer(from:using:configuration:useLatest:progressHandler:)`.
  public func loadContainer(
    from downloader: any Downloader,
    using tokenizerLoader: any TokenizerLoader,
    configuration: ModelConfiguration,
    useLatest: Bool = false,
    progressHandler: @Sendable @escaping (Progress) -> Void = { _ in }
  ) async throws -> ContainerType {
    CallLog.shared.record("\(Self.self).loadContainer(\(configuration.name))")
    let resolved = try await resolve(
      configuration: configuration, from: downloader, useLatest: useLatest,
      progressHandler: progressHandler)
    return _wrap(try await _load(configuration: resolved, tokenizerLoader: tokenizerLoader))
  }

  /// `load(from:using:)`: a model already on disk.
  public func load(
    from directory: URL, using tokenizerLoader: any TokenizerLoader
  ) async throws -> sending ContextType {
    CallLog.shared.record("\(Self.self).load(\(directory.lastPathComponent))")
    return try await _load(configuration: .init(directory: directory), tokenizerLoader: tokenizerLoader)
  }

  /// `loadContainer(from:using:)`: a model already on disk.
  public func loadContainer(
    from directory: URL, using tokenizerLoader: any TokenizerLoader
  ) async throws -> ContainerType {
    CallLog.shared.record("\(Self.self).loadContainer(\(directory.lastPathComponent))")
    return _wrap(
      try await _load(configuration: .init(directory: directory), tokenizerLoader: tokenizerLoader))
  }
}

extension GenericModelFactory where ContextType == ModelContext, ContainerType == ModelContainer {
  public func _wrap(_ context: ModelContext) -> ModelContainer {
    ModelContainer(context: context)
  }
}

/// `ModelFactory` (ModelFactory.swift).
public typealias ModelFactory = GenericModelFactory<ModelContext, ModelContainer>

extension ResolvedModelConfiguration {
  /// `init(directory:)`: a model folder that holds its tokenizer too.
  public init(directory: URL) {
    self.init(
      modelDirectory: directory, tokenizerDirectory: directory,
      name: directory.deletingLastPathComponent().lastPathComponent + "/" + directory.lastPathComponent,
      defaultPrompt: "", extraEOSTokens: [], stopStrings: [], eosTokenIds: [])
  }
}

/// `resolve(configuration:from:useLatest:progressHandler:)`: downloads what a configuration names.
public func resolve(
  configuration: ModelConfiguration,
  from downloader: any Downloader,
  useLatest: Bool,
  progressHandler: @Sendable @escaping (Progress) -> Void
) async throws -> ResolvedModelConfiguration {
  let modelDirectory: URL
  switch configuration.id {
  case .id(let id, let revision):
    modelDirectory = try await downloader.download(
      id: id, revision: revision, matching: ["*.safetensors", "*.json", "*.jinja"],
      useLatest: useLatest, progressHandler: progressHandler)
  case .directory(let directory):
    modelDirectory = directory
  }
  let tokenizerDirectory: URL
  switch configuration.tokenizerSource {
  case .id(let id, let revision):
    tokenizerDirectory = try await downloader.download(
      id: id, revision: revision, matching: ["*.json", "*.jinja"], useLatest: useLatest,
      progressHandler: { _ in })
  case .directory(let directory):
    tokenizerDirectory = directory
  case nil:
    tokenizerDirectory = modelDirectory
  }
  return configuration.resolved(modelDirectory: modelDirectory, tokenizerDirectory: tokenizerDirectory)
}

/// `ModelFactoryRegistry` (ModelFactory.swift): the factories the free functions try, in order.
/// The real one finds MLXVLM's and MLXLLM's through Objective-C class lookup; nothing registers
/// itself here.
final public class ModelFactoryRegistry: @unchecked Sendable {
  public static let shared = ModelFactoryRegistry()

  private let lock = NSLock()
  private var trampolines: [() -> (any ModelFactory)?] = []

  public func addTrampoline(_ trampoline: @escaping () -> (any ModelFactory)?) {
    lock.withLock { trampolines.append(trampoline) }
  }

  public func modelFactories() -> [any ModelFactory] {
    lock.withLock { trampolines.compactMap { $0() } }
  }
}

/// Tries each registered factory in turn, as the real free functions do.
private func withFirstFactory<R>(
  _ body: (any ModelFactory) async throws -> sending R
) async throws -> sending R {
  var lastError: (any Error)?
  for factory in ModelFactoryRegistry.shared.modelFactories() {
    do {
      return try await body(factory)
    } catch {
      lastError = error
    }
  }
  throw lastError ?? ModelFactoryError.noModelFactoryAvailable
}

/// `loadModelContainer(from:using:configuration:useLatest:progressHandler:)`.
public func loadModelContainer(
  from downloader: any Downloader,
  using tokenizerLoader: any TokenizerLoader,
  configuration: ModelConfiguration,
  useLatest: Bool = false,
  progressHandler: @Sendable @escaping (Progress) -> Void = { _ in }
) async throws -> sending ModelContainer {
  try await withFirstFactory {
    try await $0.loadContainer(
      from: downloader, using: tokenizerLoader, configuration: configuration,
      useLatest: useLatest, progressHandler: progressHandler)
  }
}

/// `loadModelContainer(from:using:id:revision:useLatest:progressHandler:)`.
public func loadModelContainer(
  from downloader: any Downloader,
  using tokenizerLoader: any TokenizerLoader,
  id: String,
  revision: String = "main",
  useLatest: Bool = false,
  progressHandler: @Sendable @escaping (Progress) -> Void = { _ in }
) async throws -> sending ModelContainer {
  try await loadModelContainer(
    from: downloader, using: tokenizerLoader, configuration: .init(id: id, revision: revision),
    useLatest: useLatest, progressHandler: progressHandler)
}

/// `loadModelContainer(from:using:)`: a model already on disk.
public func loadModelContainer(
  from directory: URL, using tokenizerLoader: any TokenizerLoader
) async throws -> sending ModelContainer {
  try await withFirstFactory { try await $0.loadContainer(from: directory, using: tokenizerLoader) }
}

/// `loadModel(from:using:configuration:useLatest:progressHandler:)`.
public func loadModel(
  from downloader: any Downloader,
  using tokenizerLoader: any TokenizerLoader,
  configuration: ModelConfiguration,
  useLatest: Bool = false,
  progressHandler: @Sendable @escaping (Progress) -> Void = { _ in }
) async throws -> sending ModelContext {
  try await withFirstFactory {
    try await $0.load(
      from: downloader, using: tokenizerLoader, configuration: configuration,
      useLatest: useLatest, progressHandler: progressHandler)
  }
}

/// `loadModel(from:using:)`: a model already on disk.
public func loadModel(
  from directory: URL, using tokenizerLoader: any TokenizerLoader
) async throws -> sending ModelContext {
  try await withFirstFactory { try await $0.load(from: directory, using: tokenizerLoader) }
}
