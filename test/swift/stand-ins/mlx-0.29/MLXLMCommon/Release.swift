// Stand-in for mlx-swift-lm 2.29.2 (the release VLMEval pinned at mlx-swift-examples 44b14cf),
// Libraries/MLXLMCommon: the declarations that differ from 2.30.6. Transcribed signatures: labels, types,
// `async`/`throws`, `Sendable`, `actor`, `@available` exactly as released.

import Foundation
import StandInSupport

// UserInput.swift: `public struct UserInput: Sendable`, `public enum Image: Sendable`,
// `public enum Video: Sendable`. (A conformance added outside the type's file must be spelled
// `@unchecked`; to code that uses the type the two are the same.)
extension UserInput: @unchecked Sendable {}
extension UserInput.Image: @unchecked Sendable {}
extension UserInput.Video: @unchecked Sendable {}

/// `UserInputProcessor` (UserInput.swift): not Sendable in 2.29.2.
public protocol UserInputProcessor {
  func prepare(input: UserInput) async throws -> LMInput
}

/// `GenerateResult` (Evaluate.swift): Sendable in 2.29.2.
public struct GenerateResult: Sendable {
  public let tokens: [Int]
  public let output: String
}

/// `generate(input:parameters:context:didGenerate:)` over token arrays (Evaluate.swift).
public func generate(
  input: LMInput, parameters: GenerateParameters, context: ModelContext,
  didGenerate: ([Int]) -> GenerateDisposition
) throws -> GenerateResult {
  generateInPlace(parameters) {
    _ = didGenerate([1, 2, 3])
    return GenerateResult(tokens: [1, 2, 3], output: standInAnswer)
  }
}

/// `generate(input:parameters:context:didGenerate:)` over single tokens (Evaluate.swift): with the
/// overload above, a closure that does not name its parameter's type is ambiguous, as in a real build.
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

/// `generate(input:cache:parameters:context:)` (Evaluate.swift): the streaming call.
public func generate(
  input: LMInput, cache: [KVCache]? = nil, parameters: GenerateParameters, context: ModelContext
) throws -> AsyncStream<Generation> {
  standInStream(parameters)
}

/// `ModelContainer` (ModelContainer.swift): an actor in 2.29.2.
public actor ModelContainer {
  var context: ModelContext

  public var configuration: ModelConfiguration { context.configuration }

  public init(context: ModelContext) {
    self.context = context
  }

  /// Not in the real actor: lets tests see when the last reference to a container goes.
  deinit {
    CallLog.shared.record("ModelContainer released")
  }

  /// `perform(_:)` over the context: a `@Sendable` closure, any result type.
  public func perform<R>(_ action: @Sendable (ModelContext) async throws -> R) async rethrows -> R {
    try await action(context)
  }

  /// `perform(values:_:)`.
  public func perform<V, R>(
    values: V, _ action: @Sendable (ModelContext, V) async throws -> R
  ) async rethrows -> R {
    try await action(context, values)
  }
}
