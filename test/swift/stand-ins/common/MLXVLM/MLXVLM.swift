// Stand-in for MLXVLM, for memtier's tests: Libraries/MLXVLM/VLMModelFactory.swift of mlx-swift-lm
// 2.29.2 and 2.30.6, which agree on what apps see. (`VLMModelFactory` is `public class` in 2.29.2
// and `public final class` in 2.30.6: no difference outside the module. `VLMRegistry` derives from
// `AbstractModelRegistry`, left out here.) Loading records a call and returns a container at once,
// with a processor that records what it is given.

import CoreImage
import Foundation
import MLX
import MLXLMCommon
import MLXNN
import StandInSupport

/// `VLMRegistry`: the known vision-language models.
public class VLMRegistry: @unchecked Sendable {
  /// `VLMRegistry.smolvlm`: SmolVLM2-500M, the VLMEval app's default model.
  static public let smolvlm = ModelConfiguration(
    id: "HuggingFaceTB/SmolVLM2-500M-Video-Instruct-mlx",
    defaultPrompt:
      "What is the main action or notable event happening in this segment? Describe it in one brief sentence."
  )
}

/// `VLMModelFactory`.
public final class VLMModelFactory: ModelFactory {
  /// `VLMModelFactory.shared`.
  public static let shared = VLMModelFactory()

  /// Loads at once and reports progress once, complete.
  public func _loadContainer(
    configuration: ModelConfiguration,
    progressHandler: @Sendable @escaping (Progress) -> Void
  ) async throws -> ModelContainer {
    CallLog.shared.record("VLMModelFactory.loadContainer(\(configuration.name))")
    let progress = Progress(totalUnitCount: 1)
    progress.completedUnitCount = 1
    progressHandler(progress)
    return ModelContainer(
      context: ModelContext(
        configuration: configuration, model: RecordingModel(), processor: RecordingProcessor(),
        tokenizer: RecordingTokenizer()))
  }
}

final class RecordingModel: Module, LanguageModel {}

struct RecordingTokenizer: Tokenizer {}

/// Records the resize and the image sizes it is given: `prepare(resize: 384x384, images: [384x192])`.
struct RecordingProcessor: UserInputProcessor {
  func prepare(input: UserInput) async throws -> LMInput {
    let sizes = input.images.map { image -> String in
      switch image {
      case .ciImage(let picture):
        let extent = picture.extent
        if extent.isInfinite { return "infinite" }
        let origin = extent.origin == .zero ? "" : "@\(Int(extent.minX)),\(Int(extent.minY))"
        return "\(Int(extent.width.rounded()))x\(Int(extent.height.rounded()))\(origin)"
      case .url: return "url"
      case .array: return "array"
      }
    }
    let resize = input.processing.resize.map { "\(Int($0.width))x\(Int($0.height))" } ?? "nil"
    CallLog.shared.record("prepare(resize: \(resize), images: [\(sizes.joined(separator: ", "))])")
    return LMInput(tokens: MLXArray())
  }
}
