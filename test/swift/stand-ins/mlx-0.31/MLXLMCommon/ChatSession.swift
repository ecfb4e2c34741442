// Stand-in for MLXLMCommon, for memtier's tests: `ChatSession` as mlx-swift-lm 3.31.4 declares it
// (Libraries/MLXLMCommon/ChatSession.swift): a final class that is not Sendable, built from a
// `ModelContainer`, keeping the conversation between calls. Transcribed: the initializer from a
// container (without its `speculativeDecoding:` parameter, whose type is not stood in, so a call
// that passes one does not compile here), the public stored settings, `respond(to:...)`,
// `streamResponse(to:...)` (both overloads, as released, so that overload resolution is the real
// one), `clear()` and `synchronize()`. Left out: the initializers from a `ModelContext`, a
// history or a KV cache, `streamDetails`, `saveCache(to:)`. Each answer here is the stand-in
// generation (../../common/MLXLMCommon/StandInGeneration.swift) with the session's parameters.

import Foundation

/// `ChatSession`: not Sendable.
public final class ChatSession {
  private let model: ModelContainer
  public var instructions: String?
  public var processing: UserInput.Processing
  public var generateParameters: GenerateParameters
  public var additionalContext: [String: any Sendable]?
  public var tools: [ToolSpec]?
  public var toolDispatch: (@Sendable (ToolCall) async throws -> String)?

  public init(
    _ model: ModelContainer,
    instructions: String? = nil,
    generateParameters: GenerateParameters = .init(),
    processing: UserInput.Processing = .init(resize: CGSize(width: 512, height: 512)),
    additionalContext: [String: any Sendable]? = nil,
    tools: [ToolSpec]? = nil,
    toolDispatch: (@Sendable (ToolCall) async throws -> String)? = nil
  ) {
    self.model = model
    self.instructions = instructions
    self.generateParameters = generateParameters
    self.processing = processing
    self.additionalContext = additionalContext
    self.tools = tools
    self.toolDispatch = toolDispatch
  }

  public func respond(
    to prompt: String,
    role: Chat.Message.Role = .user,
    images: consuming [UserInput.Image],
    videos: consuming [UserInput.Video],
    audios: consuming [UserInput.Audio]
  ) async throws -> String {
    var answer = ""
    for try await chunk in streamResponse(
      to: prompt, role: role, images: images, videos: videos, audios: audios)
    {
      answer += chunk
    }
    return answer
  }

  public func respond(
    to prompt: String,
    role: Chat.Message.Role = .user,
    image: consuming UserInput.Image? = nil,
    video: consuming UserInput.Video? = nil,
    audio: consuming UserInput.Audio? = nil
  ) async throws -> String {
    try await respond(
      to: prompt, role: role, images: image.map { [$0] } ?? [], videos: video.map { [$0] } ?? [],
      audios: audio.map { [$0] } ?? [])
  }

  public func streamResponse(
    to prompt: String,
    role: Chat.Message.Role = .user,
    images: consuming [UserInput.Image] = [],
    videos: consuming [UserInput.Video] = [],
    audios: consuming [UserInput.Audio] = []
  ) -> AsyncThrowingStream<String, Error> {
    let generation = standInStream(generateParameters)
    return AsyncThrowingStream { continuation in
      let relay = Task {
        for await item in generation {
          if let chunk = item.chunk { continuation.yield(chunk) }
        }
        continuation.finish()
      }
      continuation.onTermination = { _ in relay.cancel() }
    }
  }

  public func streamResponse(
    to prompt: String,
    image: consuming UserInput.Image? = nil,
    video: consuming UserInput.Video? = nil,
    audio: consuming UserInput.Audio? = nil
  ) -> AsyncThrowingStream<String, Error> {
    streamResponse(
      to: prompt, images: image.map { [$0] } ?? [], videos: video.map { [$0] } ?? [],
      audios: audio.map { [$0] } ?? [])
  }

  /// Forgets the conversation (and its KV cache), keeping the instructions.
  public func clear() async {}

  /// Waits until no call of this session uses its cache.
  public func synchronize() async {}
}
