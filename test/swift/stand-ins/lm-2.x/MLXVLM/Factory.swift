// Stand-in for MLXVLM, for memtier's tests: `VLMModelFactory` (Libraries/MLXVLM/VLMModelFactory.swift)
// as mlx-swift-lm 2.29.2 and 2.30.6 declare it: `public class` in 2.29.2, `public final class` in
// 2.30.6, no difference outside the module. Loading records a call and returns a container, paced
// by the stand-in library's world (StandInSupport/LibraryWorld.swift).

import Foundation
import MLXLMCommon
import StandInSupport

/// `VLMModelFactory`.
public final class VLMModelFactory: ModelFactory {
  /// `VLMModelFactory.shared`.
  public static let shared = VLMModelFactory()

  /// Loads for as long as `LibraryWorld.shared.pacing.load()` takes (at once by default),
  /// evaluating meanwhile as the real load evaluates the weights, and reports progress once,
  /// complete. Like the real one, it cannot be stopped: it ignores cancellation.
  public func _loadContainer(
    configuration: ModelConfiguration,
    progressHandler: @Sendable @escaping (Progress) -> Void
  ) async throws -> ModelContainer {
    CallLog.shared.record("VLMModelFactory.loadContainer(\(configuration.name))")
    let world = LibraryWorld.shared
    world.beginEvaluating("load")
    await world.pacing.load()
    world.endEvaluating()
    let progress = Progress(totalUnitCount: 1)
    progress.completedUnitCount = 1
    progressHandler(progress)
    return ModelContainer(
      context: ModelContext(
        configuration: configuration, model: RecordingModel(), processor: RecordingProcessor(),
        tokenizer: RecordingTokenizer()))
  }
}

/// The tokenizer of the stand-in model: swift-transformers' `Tokenizer`, which 2.x stands in as a
/// bare type.
struct RecordingTokenizer: Tokenizer {}
