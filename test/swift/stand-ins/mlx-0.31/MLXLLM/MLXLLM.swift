// Stand-in for MLXLLM, for memtier's tests: `LLMRegistry` and `LLMModelFactory` as mlx-swift-lm
// 3.31.4 declares them (Libraries/MLXLLM/LLMModelFactory.swift), with the registry entries the 3.x
// example apps name (identifiers only). Loading records a call and gives a container whose model is
// empty; nothing is read.

import Foundation
import MLX
import MLXLMCommon
import MLXNN

/// `LLMRegistry`: the known language models. (It derives from `AbstractModelRegistry`, left out.)
public class LLMRegistry: @unchecked Sendable {
  static public let smolLM_135M_4bit = ModelConfiguration(id: "mlx-community/SmolLM-135M-Instruct-4bit")
  static public let gemma3n_E4B_it_lm_4bit = ModelConfiguration(id: "mlx-community/gemma-3n-E4B-it-lm-4bit")
  static public let gemma3n_E2B_it_lm_4bit = ModelConfiguration(id: "mlx-community/gemma-3n-E2B-it-lm-4bit")
  static public let qwen2_5_1_5b = ModelConfiguration(id: "mlx-community/Qwen2.5-1.5B-Instruct-4bit")
  static public let qwen3_0_6b_4bit = ModelConfiguration(id: "mlx-community/Qwen3-0.6B-4bit")
  static public let qwen3_1_7b_4bit = ModelConfiguration(id: "mlx-community/Qwen3-1.7B-4bit")
  static public let qwen3_4b_4bit = ModelConfiguration(id: "mlx-community/Qwen3-4B-4bit")
  static public let qwen3_8b_4bit = ModelConfiguration(id: "mlx-community/Qwen3-8B-4bit")
  static public let llama3_2_1B_4bit = ModelConfiguration(id: "mlx-community/Llama-3.2-1B-Instruct-4bit")
  static public let acereason_7b_4bit = ModelConfiguration(id: "mlx-community/AceReason-Nemotron-7B-4bit")
}

/// `ModelRegistry` (LLMModelFactory.swift): MLXVLM declares one too, so an app that imports both
/// cannot use the name.
public typealias ModelRegistry = LLMRegistry

/// `LLMModelFactory`.
public final class LLMModelFactory: GenericModelFactory {
  public typealias ContextType = ModelContext
  public typealias ContainerType = ModelContainer

  /// `LLMModelFactory.shared`.
  public static let shared = LLMModelFactory()

  private init() {}

  public func _load(
    configuration: ResolvedModelConfiguration,
    tokenizerLoader: any TokenizerLoader
  ) async throws -> sending ModelContext {
    let tokenizer = try await tokenizerLoader.load(from: configuration.tokenizerDirectory)
    return ModelContext(
      configuration: ModelConfiguration(id: configuration.name), model: EmptyLanguageModel(),
      processor: TextOnlyProcessor(), tokenizer: tokenizer)
  }
}

final class EmptyLanguageModel: Module, LanguageModel {}

/// Text in, an empty prompt out.
struct TextOnlyProcessor: UserInputProcessor {
  func prepare(input: UserInput) async throws -> LMInput {
    LMInput(tokens: MLXArray())
  }
}
