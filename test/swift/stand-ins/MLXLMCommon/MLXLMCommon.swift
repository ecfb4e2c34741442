// Stand-in for MLXLMCommon (mlx-swift-examples), for memtier's tests: same signatures, no model.

import Foundation
import MLX

/// `MLXLMCommon.GenerateParameters`, with the real initializer's labels and defaults.
public struct GenerateParameters: Sendable {
  public var maxTokens: Int?
  public var maxKVSize: Int?
  public var kvBits: Int?
  public var kvGroupSize: Int
  public var quantizedKVStart: Int
  public var temperature: Float
  public var topP: Float
  public var repetitionPenalty: Float?
  public var repetitionContextSize: Int

  public init(
    maxTokens: Int? = nil, maxKVSize: Int? = nil, kvBits: Int? = nil, kvGroupSize: Int = 64,
    quantizedKVStart: Int = 0, temperature: Float = 0.6, topP: Float = 1.0,
    repetitionPenalty: Float? = nil, repetitionContextSize: Int = 20
  ) {
    self.maxTokens = maxTokens
    self.maxKVSize = maxKVSize
    self.kvBits = kvBits
    self.kvGroupSize = kvGroupSize
    self.quantizedKVStart = quantizedKVStart
    self.temperature = temperature
    self.topP = topP
    self.repetitionPenalty = repetitionPenalty
    self.repetitionContextSize = repetitionContextSize
  }
}

/// `MLXLMCommon.UserInput`: a prompt, images, and processing options.
public struct UserInput: Sendable {
  /// How the processor prepares images.
  public struct Processing: Sendable {
    /// `UserInput.processing.resize`: ignored by the SmolVLM2 processor for images.
    public var resize: CGSize?

    public init(resize: CGSize? = nil) { self.resize = resize }
  }

  /// A stand-in image: only its size matters to memory.
  public struct Image: Sendable, Equatable {
    public var size: CGSize

    public init(size: CGSize) { self.size = size }
  }

  public var prompt: String
  public var images: [Image]
  public var processing: Processing

  public init(prompt: String, images: [Image] = [], processing: Processing = .init()) {
    self.prompt = prompt
    self.images = images
    self.processing = processing
  }
}

/// `MLXLMCommon.ModelConfiguration`: which model to load.
public struct ModelConfiguration: Sendable, Equatable {
  public var name: String

  public init(id: String) { self.name = id }
}

/// `MLXLMCommon.ModelContainer`: the loaded model, used from one task at a time.
public actor ModelContainer {
  public let configuration: ModelConfiguration

  public init(configuration: ModelConfiguration) { self.configuration = configuration }
}
