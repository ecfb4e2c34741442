// Behaviour of the stand-in, not a transcription: what the stand-in `generate` functions of both
// eras do. They record the parameters, then produce one answer at once.

import Foundation
import StandInSupport

/// The text every stand-in generation produces.
let standInAnswer = "stand-in answer"

/// Records a generation's parameters, as tests read them.
func recordGeneration(_ parameters: GenerateParameters) {
  let maxTokens = parameters.maxTokens.map(String.init) ?? "nil"
  CallLog.shared.record(
    "generate(maxTokens: \(maxTokens), temperature: \(parameters.temperature), topP: \(parameters.topP))")
}

/// The stream a stand-in generation yields: the answer, then (once any hold is released, unless
/// it is cancelled first) its statistics. Records how it ended: "generation finished", or
/// "generation cancelled" when its consumer stopped it. Like the real one, it stops when its
/// consumer goes away.
///
/// "generation cancelled" is recorded as the consumer goes (in `onTermination`), not when the
/// producer task notices later: the app can only wait for its own task, and the producer, like
/// mlx-swift-lm's, may wind down after that task has ended.
func standInStream(_ parameters: GenerateParameters) -> AsyncStream<Generation> {
  recordGeneration(parameters)
  return AsyncStream { continuation in
    let producer = Task {
      continuation.yield(.chunk(standInAnswer))
      while CallLog.shared.generationHeld && !Task.isCancelled {
        try? await Task.sleep(for: .milliseconds(2))
      }
      if !Task.isCancelled { CallLog.shared.record("generation finished") }
      continuation.yield(
        .info(
          GenerateCompletionInfo(
            promptTokenCount: 1, generationTokenCount: 3, promptTime: 0.1, generateTime: 0.1)))
      continuation.finish()
    }
    continuation.onTermination = { termination in
      if case .cancelled = termination { CallLog.shared.record("generation cancelled") }
      producer.cancel()
    }
  }
}
