// Stand-in for MLXLMCommon, for memtier's tests: `UserInput` as mlx-swift-lm 3.31.4 declares it
// (Libraries/MLXLMCommon/UserInput.swift, Tool/Tool.swift), not Sendable. Against 2.30.6 it adds
// audio (`Audio`, `audios`, `Processing.audio`) and `Processing.minPixels`/`maxPixels`; the SmolVLM2
// processor reads none of `Processing`'s image fields (../../../../../docs/mlx-releases.md). Left
// out: `prompt` and its `Prompt` (nothing here reads them), `init(messages:...)`,
// `Video.avAsset`/`.frames` (AVFoundation and Core Media are not on Linux) and
// `AudioProcessing.audioFormat` (a Core Audio type).

import CoreImage
import Foundation
import MLX

/// `Message` (UserInput.swift): a message as the chat template reads it.
public typealias Message = [String: any Sendable]

/// `ToolSpec` (Tool/Tool.swift): a tool's schema as the chat template reads it.
public typealias ToolSpec = [String: any Sendable]

/// `UserInput`: a prompt with its images, videos and audio, and how to process them.
public struct UserInput {
  /// `UserInput.Video`.
  public enum Video {
    case url(URL)
  }

  /// `UserInput.Image`.
  public enum Image {
    case ciImage(CIImage)
    case url(URL)
    case array(MLXArray)
  }

  /// `UserInput.Audio`.
  public enum Audio {
    case url(URL)
    case array(MLXArray)
  }

  /// `UserInput.Processing`: Sendable.
  public struct Processing: Sendable {
    /// The size images are resized to, where the model's processor honours it.
    public var resize: CGSize?
    public var audio = AudioProcessing()
    public var minPixels: Int?
    public var maxPixels: Int?

    public init(resize: CGSize? = nil, minPixels: Int? = nil, maxPixels: Int? = nil) {
      (self.resize, self.minPixels, self.maxPixels) = (resize, minPixels, maxPixels)
    }
  }

  /// `UserInput.AudioProcessing`.
  public struct AudioProcessing: Sendable {
    public var sampleRate = 48_000.0
    public var channels = 1

    public init() {}
  }

  public var images = [Image]()
  public var videos = [Video]()
  public var audios = [Audio]()
  public var tools: [ToolSpec]?
  public var additionalContext: [String: any Sendable]?
  public var processing: Processing = .init()

  /// `UserInput(prompt:images:videos:audios:tools:additionalContext:)`: since 3.31.4 (d6f35292)
  /// the images and videos given here are kept.
  public init(
    prompt: String,
    images: [Image] = [Image](),
    videos: [Video] = [Video](),
    audios: [Audio] = [Audio](),
    tools: [ToolSpec]? = nil,
    additionalContext: [String: any Sendable]? = nil
  ) {
    (self.images, self.videos, self.audios) = (images, videos, audios)
    (self.tools, self.additionalContext) = (tools, additionalContext)
  }

  /// `UserInput(chat:processing:tools:additionalContext:)`.
  public init(
    chat: [Chat.Message],
    processing: Processing = .init(),
    tools: [ToolSpec]? = nil,
    additionalContext: [String: any Sendable]? = nil
  ) {
    images = chat.flatMap(\.images)
    videos = chat.flatMap(\.videos)
    audios = chat.flatMap(\.audios)
    (self.processing, self.tools, self.additionalContext) = (processing, tools, additionalContext)
  }
}
