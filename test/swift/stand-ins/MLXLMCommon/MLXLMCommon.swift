// Stand-in for MLXLMCommon (mlx-swift-examples), for memtier's tests: same signatures, no model.

import CoreImage
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

/// `MLXLMCommon.Chat`: messages of a conversation.
public enum Chat {
  /// One message, with the images it carries.
  public struct Message: Sendable {
    public var role: String
    public var content: String
    public var images: [UserInput.Image]

    public static func system(_ content: String) -> Message {
      Message(role: "system", content: content, images: [])
    }

    public static func user(_ content: String, images: [UserInput.Image] = []) -> Message {
      Message(role: "user", content: content, images: images)
    }
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

  /// `UserInput.Image`.
  public enum Image: Sendable, Equatable {
    case ciImage(CIImage)
    case url(URL)
  }

  public var chat: [Chat.Message]
  public var images: [Image]
  public var processing: Processing

  public init(chat: [Chat.Message], processing: Processing = .init()) {
    self.chat = chat
    self.images = chat.flatMap(\.images)
    self.processing = processing
  }
}

/// `MLXLMCommon.LMInput`: what the processor prepared.
public struct LMInput: Sendable {
  public let images: [UserInput.Image]
  public let resize: CGSize?
}

/// The processor of `ModelContext`; it records what it was given.
public struct UserInputProcessor: Sendable {
  public func prepare(input: UserInput) async throws -> LMInput {
    let sizes = input.images.map { image -> String in
      guard case .ciImage(let picture) = image else { return "url" }
      return "\(Int(picture.extent.width))x\(Int(picture.extent.height))"
    }
    let resize = input.processing.resize.map { "\(Int($0.width))x\(Int($0.height))" } ?? "nil"
    CallLog.shared.record("prepare(resize: \(resize), images: [\(sizes.joined(separator: ", "))])")
    return LMInput(images: input.images, resize: input.processing.resize)
  }
}

/// `MLXLMCommon.ModelContext`.
public struct ModelContext: Sendable {
  public let configuration: ModelConfiguration
  public let processor = UserInputProcessor()
}

/// `MLXLMCommon.GenerateDisposition`.
public enum GenerateDisposition: Sendable {
  case more
  case stop
}

/// `MLXLMCommon.GenerateResult`.
public struct GenerateResult: Sendable {
  public let output: String
}

/// `MLXLMCommon.generate(input:parameters:context:didGenerate:)`: records the parameters and
/// answers at once.
public func generate(
  input: LMInput, parameters: GenerateParameters, context: ModelContext,
  didGenerate: ([Int]) -> GenerateDisposition
) throws -> GenerateResult {
  let maxTokens = parameters.maxTokens.map(String.init) ?? "nil"
  CallLog.shared.record(
    "generate(maxTokens: \(maxTokens), temperature: \(parameters.temperature), topP: \(parameters.topP))"
  )
  _ = didGenerate([1, 2, 3])
  return GenerateResult(output: "stand-in answer")
}

/// `MLXLMCommon.ModelConfiguration`: which model to load.
public struct ModelConfiguration: Sendable, Equatable {
  public var name: String
  public var id: String { name }

  public init(id: String) { self.name = id }
}

/// `MLXLMCommon.ModelContainer`: the loaded model, used from one task at a time.
public actor ModelContainer {
  public let configuration: ModelConfiguration

  public init(configuration: ModelConfiguration) { self.configuration = configuration }

  /// `ModelContainer.perform(_:)`.
  public func perform<R: Sendable>(_ action: @Sendable (ModelContext) async throws -> R)
    async rethrows -> R
  {
    try await action(ModelContext(configuration: configuration))
  }
}
