// Stand-in for mlx-swift-lm 3.31.4, Libraries/MLXLMCommon: `ModelContainer` (ModelContainer.swift),
// the `generate` functions and `GenerateResult` (Evaluate.swift), `UserInputProcessor`
// (UserInput.swift). Transcribed signatures: labels, types, `async`/`throws`, `sending`, `Sendable`,
// `@available` exactly as released. Against 2.30.6: the container exposes its processor and
// tokenizer, `perform` over a model and a tokenizer is deprecated, `decode(tokens:)` and
// `applyChatTemplate(messages:)` are deprecated, `GenerateResult` counts `tokenIds` (its `tokens`
// is deprecated), and the streaming `generate` takes `tools:`.

import Foundation
import MLX
import StandInSupport

/// `UserInputProcessor`: Sendable.
public protocol UserInputProcessor: Sendable {
  func prepare(input: UserInput) async throws -> LMInput
}

/// `GenerateResult`: not Sendable.
public struct GenerateResult {
  public init(
    inputText: LMInput.Text, tokenIds: [Int], output: String, promptTime: TimeInterval,
    generateTime: TimeInterval
  ) {
    (self.inputText, self.tokenIds, self.output) = (inputText, tokenIds, output)
    (self.promptTime, self.generateTime) = (promptTime, generateTime)
  }

  public let inputText: LMInput.Text
  public var promptTokenIds: [Int] { [] }
  @available(*, deprecated, renamed: "promptTokenIds")
  public var promptTokens: [Int] { promptTokenIds }
  public let tokenIds: [Int]
  @available(*, deprecated, renamed: "tokenIds")
  public var tokens: [Int] { tokenIds }
  public let output: String
  public var promptTokenCount: Int { inputText.tokens.size }
  public var generationTokenCount: Int { tokenIds.count }
  public let promptTime: TimeInterval
  public let generateTime: TimeInterval
  public var promptTokensPerSecond: Double { Double(promptTokenCount) / promptTime }
  public var tokensPerSecond: Double { Double(generationTokenCount) / generateTime }
}

@available(
  *, deprecated,
  message:
    "Use the AsyncStream-based generate(input:cache:parameters:context:) instead for better Swift concurrency support"
)
public func generate(
  input: LMInput, parameters: GenerateParameters, context: ModelContext,
  didGenerate: ([Int]) -> GenerateDisposition
) throws -> GenerateResult {
  generateInPlace(parameters) {
    _ = didGenerate([1, 2, 3])
    return GenerateResult(
      inputText: input.text, tokenIds: [1, 2, 3], output: standInAnswer, promptTime: 0.1,
      generateTime: 0.1)
  }
}

@available(
  *, deprecated,
  message:
    "Use the AsyncStream-based generate(input:cache:parameters:context:) instead for better Swift concurrency support"
)
public func generate(
  input: LMInput, parameters: GenerateParameters, context: ModelContext,
  didGenerate: (Int) -> GenerateDisposition
) throws -> GenerateCompletionInfo {
  generateInPlace(parameters) {
    _ = didGenerate(1)
    return standInCompletionInfo(tokens: 1)
  }
}

/// `generate(input:cache:parameters:context:wiredMemoryTicket:tools:)`: the streaming call.
public func generate(
  input: LMInput, cache: [KVCache]? = nil, parameters: GenerateParameters, context: ModelContext,
  wiredMemoryTicket: WiredMemoryTicket? = nil,
  tools: [[String: any Sendable]]? = nil
) throws -> AsyncStream<Generation> {
  standInStream(parameters)
}

/// Serial access to the context, as the real `SerialAccessContainer` gives.
final class ContextBox: @unchecked Sendable {
  private var context: ModelContext

  init(_ context: ModelContext) { self.context = context }

  func read<R>(_ body: (ModelContext) async throws -> R) async rethrows -> R {
    try await body(context)
  }

  func update(_ body: (inout ModelContext) -> Void) {
    body(&context)
  }
}

/// Carries a value that is not Sendable into a `@Sendable` closure, as the real `SendableBox`.
final class Carried<T>: @unchecked Sendable {
  let value: T

  init(_ value: consuming T) { self.value = value }
}

/// `ModelContainer`: a final Sendable class.
public final class ModelContainer: Sendable {
  private let context: ContextBox

  public var configuration: ModelConfiguration {
    get async { await context.read { $0.configuration } }
  }

  public var processor: UserInputProcessor {
    get async { await context.read { $0.processor } }
  }

  public var tokenizer: Tokenizer {
    get async { await context.read { $0.tokenizer } }
  }

  public init(context: consuming ModelContext) {
    self.context = ContextBox(context)
  }

  /// Not in the real class: lets tests see when the last reference to a container goes.
  deinit {
    CallLog.shared.record("ModelContainer released")
  }

  @available(*, deprecated, message: "prefer perform(_:) that uses a ModelContext")
  public func perform<R: Sendable>(
    _ action: @Sendable (any LanguageModel, Tokenizer) throws -> sending R
  ) async rethrows -> sending R {
    try await context.read { try action($0.model, $0.tokenizer) }
  }

  @available(*, deprecated, message: "prefer perform(values:_:) that uses a ModelContext")
  public func perform<V: Sendable, R: Sendable>(
    values: V, _ action: @Sendable (any LanguageModel, Tokenizer, V) throws -> sending R
  ) async rethrows -> sending R {
    try await context.read { try action($0.model, $0.tokenizer, values) }
  }

  /// `perform(_:)`: a `@Sendable` closure whose result is Sendable and sent back.
  public func perform<R: Sendable>(
    _ action: @Sendable (ModelContext) async throws -> sending R
  ) async rethrows -> sending R {
    try await context.read { try await action($0) }
  }

  /// `perform(values:_:)`.
  public func perform<V: Sendable, R: Sendable>(
    values: V, _ action: @Sendable (ModelContext, V) async throws -> R
  ) async rethrows -> sending R {
    try await context.read { try await action($0, values) }
  }

  /// `perform(nonSendable:_:)`: values that are not Sendable, consumed into the closure.
  public func perform<V, R: Sendable>(
    nonSendable values: consuming V, _ action: @Sendable (ModelContext, V) async throws -> R
  ) async rethrows -> sending R {
    let carried = Carried(values)
    return try await context.read { try await action($0, carried.value) }
  }

  /// `update(_:)`.
  public func update(_ action: @Sendable (inout ModelContext) -> Void) async {
    context.update(action)
  }

  /// `modelDirectory`: the model's folder, once it is on disk.
  public var modelDirectory: URL {
    get async throws { try Self.folder(of: await configuration) }
  }

  /// `tokenizerDirectory`: the stand-in holds its tokenizer with the model.
  public var tokenizerDirectory: URL {
    get async throws { try Self.folder(of: await configuration) }
  }

  private static func folder(of configuration: ModelConfiguration) throws -> URL {
    guard case .directory(let url) = configuration.id else { throw CocoaError(.fileNoSuchFile) }
    return url
  }

  /// `prepare(input:)`: runs the processor on input sent into the container.
  public func prepare(input: consuming sending UserInput) async throws -> sending LMInput {
    let processor = await self.processor
    return try await processor.prepare(input: input)
  }

  /// `generate(input:parameters:wiredMemoryTicket:)`.
  public func generate(
    input: consuming sending LMInput,
    parameters: GenerateParameters,
    wiredMemoryTicket: WiredMemoryTicket? = nil
  ) async throws -> AsyncStream<Generation> {
    standInStream(parameters)
  }

  /// `decode(tokenIds:)`.
  public func decode(tokenIds: [Int]) async -> String {
    await tokenizer.decode(tokenIds: tokenIds)
  }

  @available(*, deprecated, renamed: "decode(tokenIds:)")
  public func decode(tokens: [Int]) async -> String {
    await decode(tokenIds: tokens)
  }

  /// `encode(_:)`.
  public func encode(_ text: String) async -> [Int] {
    await tokenizer.encode(text: text)
  }

  @available(*, deprecated, message: "Use applyChatTemplate directly on tokenizer")
  public func applyChatTemplate(messages: [[String: String]]) async throws -> [Int] {
    try await tokenizer.applyChatTemplate(messages: messages)
  }
}
