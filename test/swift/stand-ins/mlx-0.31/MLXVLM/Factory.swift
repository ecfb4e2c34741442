// Stand-in for MLXVLM, for memtier's tests: `VLMModelFactory` and more of `VLMRegistry` as
// mlx-swift-lm 3.31.4 declares them (Libraries/MLXVLM/VLMModelFactory.swift). The factory is a
// `GenericModelFactory`: apps load through `loadContainer(from:using:configuration:)`, which
// downloads through the `Downloader` and then calls `_load`, given the `TokenizerLoader`. The type
// and processor registries its initializer takes are not stood in. Loading records a call, reads
// no file, and is paced by the stand-in library's world (StandInSupport/LibraryWorld.swift).

import Foundation
import MLXLMCommon
import StandInSupport

/// `ModelRegistry` (VLMModelFactory.swift): MLXLLM declares one too.
public typealias ModelRegistry = VLMRegistry

extension VLMRegistry {
  static public let qwen2VL2BInstruct4Bit = ModelConfiguration(
    id: "mlx-community/Qwen2-VL-2B-Instruct-4bit", extraEOSTokens: ["<|im_end|>"])
  static public let qwen2_5VL3BInstruct4Bit = ModelConfiguration(
    id: "mlx-community/Qwen2.5-VL-3B-Instruct-4bit", extraEOSTokens: ["<|im_end|>"])
  static public let smolvlminstruct4bit = ModelConfiguration(id: "mlx-community/SmolVLM-Instruct-4bit")
  static public let gemma4_E2B_it_4bit = ModelConfiguration(
    id: "mlx-community/gemma-4-e2b-it-4bit", extraEOSTokens: ["<turn|>"])
  static public let gemma4_E4B_it_4bit = ModelConfiguration(
    id: "mlx-community/gemma-4-e4b-it-4bit", extraEOSTokens: ["<turn|>"])
}

/// `VLMModelFactory`.
public final class VLMModelFactory: GenericModelFactory {
  public typealias ContextType = ModelContext
  public typealias ContainerType = ModelContainer

  /// `VLMModelFactory.shared`.
  public static let shared = VLMModelFactory()

  private init() {}

  /// Loads for as long as `LibraryWorld.shared.pacing.load()` takes (at once by default),
  /// evaluating meanwhile as the real load evaluates the weights; the tokenizer comes from the
  /// loader. Like the real one, it cannot be stopped: it ignores cancellation.
  public func _load(
    configuration: ResolvedModelConfiguration,
    tokenizerLoader: any TokenizerLoader
  ) async throws -> sending ModelContext {
    let world = LibraryWorld.shared
    world.beginEvaluating("load")
    await world.pacing.load()
    world.endEvaluating()
    let tokenizer = try await tokenizerLoader.load(from: configuration.tokenizerDirectory)
    return ModelContext(
      configuration: ModelConfiguration(id: configuration.name), model: RecordingModel(),
      processor: RecordingProcessor(), tokenizer: tokenizer)
  }
}
