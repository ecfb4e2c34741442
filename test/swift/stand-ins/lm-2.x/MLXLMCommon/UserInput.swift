// Stand-in for MLXLMCommon, for memtier's tests: `UserInput` (Libraries/MLXLMCommon/UserInput.swift)
// as mlx-swift-lm 2.30.6 declares it, not Sendable. 2.29.2 declares the same members Sendable; its
// era folder adds those conformances. (3.x adds audio: see ../../mlx-0.31/.) Left out: `prompt`,
// `tools` and `additionalContext` (nothing here reads them; their types differ between the
// releases) and `Video.avAsset` (AVFoundation is not on Linux).

import CoreImage
import Foundation
import MLX

/// `UserInput`: a prompt with its images and videos, and how to process them.
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

  /// `UserInput.Processing`: Sendable in both releases.
  public struct Processing: Sendable {
    /// The size images are resized to, where the model's processor honours it.
    public var resize: CGSize?

    public init(resize: CGSize? = nil) {
      self.resize = resize
    }
  }

  public var images = [Image]()
  public var videos = [Video]()
  public var processing: Processing = .init()

  /// `UserInput(chat:processing:tools:additionalContext:)`.
  public init(chat: [Chat.Message], processing: Processing = .init()) {
    self.images = chat.reduce(into: []) { result, message in result.append(contentsOf: message.images) }
    self.videos = chat.reduce(into: []) { result, message in result.append(contentsOf: message.videos) }
    self.processing = processing
  }

  /// `UserInput(prompt:images:videos:tools:additionalContext:)`.
  public init(prompt: String, images: [Image] = [Image](), videos: [Video] = [Video]()) {
    self.init(chat: [.user(prompt, images: images, videos: videos)])
  }
}
