// Stand-in for MLXHuggingFace, for memtier's tests: the macros of mlx-swift-lm 3.31.4
// (Libraries/MLXHuggingFace/Macros.swift), declared as released: names, labels, result types and
// the implementing module and types. A macro cannot be stood in as source: the harness builds our
// own implementation (../plugins/MLXHuggingFaceMacros.swift) as a compiler plugin with the
// toolchain's swift-syntax, and loads it wherever these macros are expanded. Its expansions need
// what the real ones need from the file that uses them: `import HuggingFace` for the downloader,
// `import Tokenizers` for the tokenizer loader.

import Foundation
import MLXLMCommon

@freestanding(expression)
public macro hubDownloader(_ hub: Any) -> MLXLMCommon.Downloader =
  #externalMacro(module: "MLXHuggingFaceMacros", type: "DownloaderMacro")

@freestanding(expression)
public macro hubDownloader() -> MLXLMCommon.Downloader =
  #externalMacro(module: "MLXHuggingFaceMacros", type: "DownloaderMacro")

@freestanding(expression)
public macro adaptHuggingFaceTokenizer(_ upstream: Any) -> MLXLMCommon.Tokenizer =
  #externalMacro(module: "MLXHuggingFaceMacros", type: "TokenizerAdaptorMacro")

@freestanding(expression)
public macro huggingFaceTokenizerLoader() -> MLXLMCommon.TokenizerLoader =
  #externalMacro(module: "MLXHuggingFaceMacros", type: "TokenizerLoaderMacro")

@freestanding(expression)
public macro huggingFaceLoadModelContainer(
  configuration: ModelConfiguration
) -> ModelContainer =
  #externalMacro(module: "MLXHuggingFaceMacros", type: "LoadContainerMacro")

@freestanding(expression)
public macro huggingFaceLoadModelContainer(
  configuration: ModelConfiguration,
  progressHandler: @Sendable @escaping (Progress) -> Void
) -> ModelContainer =
  #externalMacro(module: "MLXHuggingFaceMacros", type: "LoadContainerMacro")

@freestanding(expression)
public macro huggingFaceLoadModel(
  configuration: ModelConfiguration
) -> ModelContext =
  #externalMacro(module: "MLXHuggingFaceMacros", type: "LoadContextMacro")

@freestanding(expression)
public macro huggingFaceLoadModel(
  configuration: ModelConfiguration,
  progressHandler: @Sendable @escaping (Progress) -> Void
) -> ModelContext =
  #externalMacro(module: "MLXHuggingFaceMacros", type: "LoadContextMacro")

/// `HuggingFaceDownloaderError`: a model identifier that is not "namespace/name".
public enum HuggingFaceDownloaderError: LocalizedError {
  case invalidRepositoryID(String)

  public var errorDescription: String? {
    switch self {
    case .invalidRepositoryID(let id): "not a Hugging Face repository: \(id)"
    }
  }
}
