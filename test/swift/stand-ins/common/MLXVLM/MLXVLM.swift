// Stand-in for MLXVLM, for memtier's tests: `VLMRegistry.smolvlm`
// (Libraries/MLXVLM/VLMModelFactory.swift), the same in mlx-swift-lm 2.29.2, 2.30.6 and 3.31.4
// (`VLMRegistry` derives from `AbstractModelRegistry`, left out here), and the stand-in model and
// processor that every era's `VLMModelFactory` loads (see the era folders); the processor records
// what it is given.

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

final class RecordingModel: Module, LanguageModel {}

/// Records the resize and the image sizes it is given: `prepare(resize: 384x384, images: [384x192])`,
/// with " unfiltered" after an image scaled by a plain affine transform (it aliases).
struct RecordingProcessor: UserInputProcessor {
  func prepare(input: UserInput) async throws -> LMInput {
    let sizes = input.images.map { image -> String in
      switch image {
      case .ciImage(let picture):
        let extent = picture.extent
        if extent.isInfinite { return "infinite" }
        let origin = extent.origin == .zero ? "" : "@\(Int(extent.minX)),\(Int(extent.minY))"
        let unfiltered = picture.scaledWithoutFiltering ? " unfiltered" : ""
        return "\(Int(extent.width.rounded()))x\(Int(extent.height.rounded()))\(origin)\(unfiltered)"
      case .url: return "url"
      case .array: return "array"
      }
    }
    let resize = input.processing.resize.map { "\(Int($0.width))x\(Int($0.height))" } ?? "nil"
    CallLog.shared.record("prepare(resize: \(resize), images: [\(sizes.joined(separator: ", "))])")
    return LMInput(tokens: MLXArray())
  }
}
