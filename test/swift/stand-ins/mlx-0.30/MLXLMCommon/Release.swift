// Stand-in for mlx-swift-lm 2.30.6, Libraries/MLXLMCommon: the declarations that differ from 2.29.2.
// Transcribed signatures: labels, types, `async`/`throws`, `sending`, `Sendable`, `@available` exactly as
// released. (2.29.3 already made UserInput non-Sendable and `perform`'s closure non-`@Sendable`;
// 2.30 made ModelContainer a final class and added `prepare` and `generate` to it.)

import Foundation
import MLX
import StandInSupport

// Chat.swift: `public enum Role: String, Sendable` in 2.30.6.
extension Chat.Message.Role: @unchecked Sendable {}

/// `UserInputProcessor` (UserInput.swift): Sendable from 2.30.
public protocol UserInputProcessor: Sendable {
  func prepare(input: UserInput) async throws -> LMInput
}

/// `GenerateResult` (Evaluate.swift): not Sendable from 2.29.3.
public struct GenerateResult {
  public let tokens: [Int]
  public let output: String
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
    return GenerateResult(tokens: [1, 2, 3], output: standInAnswer)
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
    return GenerateCompletionInfo(
      promptTokenCount: 1, generationTokenCount: 1, promptTime: 0.1, generateTime: 0.1)
  }
}

/// `generate(input:cache:parameters:context:wiredMemoryTicket:)` (Evaluate.swift): the streaming call.
public func generate(
  input: LMInput, cache: [KVCache]? = nil, parameters: GenerateParameters, context: ModelContext,
  wiredMemoryTicket: WiredMemoryTicket? = nil
) throws -> AsyncStream<Generation> {
  standInStream(parameters)
}

/// Serial access to the context, as the real `SerialAccessContainer` gives.
final class ContextBox: @unchecked Sendable {
  private let context: ModelContext

  init(_ context: ModelContext) { self.context = context }

  func read<R>(_ body: (ModelContext) async throws -> R) async rethrows -> R {
    try await body(context)
  }
}

/// `ModelContainer` (ModelContainer.swift): a final Sendable class in 2.30.
public final class ModelContainer: Sendable {
  private let context: ContextBox

  public var configuration: ModelConfiguration {
    get async { await context.read { $0.configuration } }
  }

  public init(context: consuming ModelContext) {
    self.context = ContextBox(context)
  }

  /// Not in the real class: lets tests see when the last reference to a container goes.
  deinit {
    CallLog.shared.record("ModelContainer released")
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

  /// `prepare(input:)`: runs the processor on input sent into the container.
  public func prepare(input: consuming sending UserInput) async throws -> sending LMInput {
    let processor = await context.read { $0.processor }
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
}
