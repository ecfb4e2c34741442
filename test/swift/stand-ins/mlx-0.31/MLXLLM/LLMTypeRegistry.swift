// Stand-in for MLXLLM, for memtier's tests: `LLMTypeRegistry` as mlx-swift-lm 3.31.4 declares it
// (Libraries/MLXLLM/LLMModelFactory.swift): an enum whose `shared` registry makes language models
// by model type. Here it knows one type, "llama", and makes the stand-in's empty model.

import Foundation
import MLXLMCommon

/// `LLMTypeRegistry`.
public enum LLMTypeRegistry {
  public static let shared: ModelTypeRegistry<LanguageModel> = .init(creators: [
    "llama": { _ in EmptyLanguageModel() }
  ])
}
