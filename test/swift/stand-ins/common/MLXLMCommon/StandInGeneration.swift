// Behaviour of the stand-in, not a transcription: what the stand-in `generate` functions of every
// era do. They record the parameters, then produce one answer of three tokens, paced by
// `LibraryWorld.shared.pacing` (at once by default), and keep the world's evaluation state.

import Foundation
import StandInSupport

/// The text every stand-in generation produces, as one chunk with its first token.
let standInAnswer = "stand-in answer"

/// How many tokens every stand-in generation produces.
let standInTokenCount = 3

/// Records a generation's parameters, as tests read them.
func recordGeneration(_ parameters: GenerateParameters) {
  let maxTokens = parameters.maxTokens.map(String.init) ?? "nil"
  CallLog.shared.record(
    "generate(maxTokens: \(maxTokens), temperature: \(parameters.temperature), topP: \(parameters.topP))")
}

/// A generation that runs to its end inside the call (the `didGenerate` overloads): the library
/// evaluates throughout.
func generateInPlace<Result>(_ parameters: GenerateParameters, _ body: () -> Result) -> Result {
  recordGeneration(parameters)
  LibraryWorld.shared.beginEvaluating("generation")
  defer { LibraryWorld.shared.endEvaluating() }
  return body()
}

/// The stream a stand-in generation yields: the answer with the first token, then (once any hold
/// is released, unless it is cancelled first) two more tokens and the statistics. Records how it
/// ended: "generation finished", or "generation cancelled" when its consumer stopped it.
///
/// As in mlx-swift-lm 2.29.2 (Libraries/MLXLMCommon/Evaluate.swift): the prompt is evaluated in
/// the call itself (`TokenIterator.init`), the tokens in an unstructured producer task that checks
/// for cancellation only between tokens, and the stream finishes after the producer synchronized.
/// So the library is evaluating from the call until then; a consumer that stops only cancels the
/// producer, which notices at its next token and then winds down (`pacing.windDown()`).
/// "generation cancelled" is recorded as the consumer goes (in `onTermination`): the app can wait
/// for its own task, not for the producer, which may end after it.
func standInStream(_ parameters: GenerateParameters) -> AsyncStream<Generation> {
  recordGeneration(parameters)
  let world = LibraryWorld.shared
  world.beginEvaluating("generation")
  return AsyncStream { continuation in
    let producer = Task {
      var stopped = false
      for index in 0..<standInTokenCount {
        await world.pacing.token(index)
        if Task.isCancelled {
          stopped = true
          break
        }
        world.submitsGPUWork("a token")
        guard index == 0 else { continue }
        continuation.yield(.chunk(standInAnswer))
        while CallLog.shared.generationHeld && !Task.isCancelled {
          try? await Task.sleep(for: .milliseconds(2))
        }
      }
      if stopped {
        await world.pacing.windDown()
      } else {
        CallLog.shared.record("generation finished")
        continuation.yield(.info(standInCompletionInfo(tokens: standInTokenCount)))
      }
      world.endEvaluating()
      continuation.finish()
    }
    continuation.onTermination = { termination in
      if case .cancelled = termination { CallLog.shared.record("generation cancelled") }
      producer.cancel()
    }
  }
}
