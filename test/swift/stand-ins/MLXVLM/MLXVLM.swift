// Stand-in for MLXVLM (mlx-swift-examples), for memtier's tests: loading records a call and
// returns an empty container at once.

import Foundation
import MLX
import MLXLMCommon

/// `MLXVLM.VLMRegistry`: the known vision-language models.
public enum VLMRegistry {
  /// SmolVLM2-500M, the app's default model.
  public static let smolvlm = ModelConfiguration(id: "HuggingFaceTB/SmolVLM2-500M-Video-Instruct-mlx")
}

/// `MLXVLM.VLMModelFactory`.
public final class VLMModelFactory: Sendable {
  public static let shared = VLMModelFactory()

  /// Loads a model; reports progress once, complete.
  public func loadContainer(
    configuration: ModelConfiguration,
    progressHandler: @Sendable @escaping (Progress) -> Void = { _ in }
  ) async throws -> ModelContainer {
    CallLog.shared.record("VLMModelFactory.loadContainer(\(configuration.name))")
    let progress = Progress(totalUnitCount: 1)
    progress.completedUnitCount = 1
    progressHandler(progress)
    return ModelContainer(configuration: configuration)
  }
}
