// Stand-in for MLXLMCommon, for memtier's tests. Declarations identical in mlx-swift-lm 2.29.2,
// 2.30.6 and 3.31.4: LanguageModel.swift, ModelFactory.swift (`ModelContext`; its `Tokenizer` is
// each release's own, see the era folders), Module+Extensions.swift. The protocols' requirements
// (MLXArray in, logits out) are left out: nothing here calls them.

import Foundation
import MLX
import MLXNN

/// `KVCache` (KVCache.swift), only as a type.
public protocol KVCache {}

/// `LanguageModel` (LanguageModel.swift): a `Module`. Its requirements (MLXArray in, logits out) are
/// left out: nothing here calls them.
public protocol LanguageModel: Module {}

/// `LMInput` (LanguageModel.swift): prepared model input. Not Sendable in either release.
public struct LMInput {
  /// `LMInput.Text`.
  public struct Text {
    public let tokens: MLXArray
    public let mask: MLXArray?
  }

  public let text: Text

  /// `LMInput(tokens:mask:)`.
  public init(tokens: MLXArray, mask: MLXArray? = nil) {
    text = Text(tokens: tokens, mask: mask)
  }
}

/// `ModelContext` (ModelFactory.swift): a loaded model with its processor. Not Sendable.
public struct ModelContext {
  public var configuration: ModelConfiguration
  public var model: any LanguageModel
  public var processor: any UserInputProcessor
  public var tokenizer: Tokenizer

  public init(
    configuration: ModelConfiguration, model: any LanguageModel,
    processor: any UserInputProcessor, tokenizer: any Tokenizer
  ) {
    self.configuration = configuration
    self.model = model
    self.processor = processor
    self.tokenizer = tokenizer
  }
}

extension Module {
  /// `numParameters()` (Module+Extensions.swift); the stand-in model has none.
  public func numParameters() -> Int { 0 }
}
