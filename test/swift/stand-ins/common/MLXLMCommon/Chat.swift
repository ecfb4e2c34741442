// Stand-in for MLXLMCommon, for memtier's tests: `Chat` (Libraries/MLXLMCommon/Chat.swift), the same
// in mlx-swift-lm 2.29.2 and 2.30.6 except that 2.30.6 makes `Role` Sendable (see the era folders).

/// `Chat`: the messages of a conversation.
public enum Chat {
  /// `Chat.Message`: not Sendable in either release.
  public struct Message {
    public var role: Role
    public var content: String
    public var images: [UserInput.Image]
    public var videos: [UserInput.Video]

    public init(
      role: Role, content: String, images: [UserInput.Image] = [],
      videos: [UserInput.Video] = []
    ) {
      self.role = role
      self.content = content
      self.images = images
      self.videos = videos
    }

    public static func system(
      _ content: String, images: [UserInput.Image] = [], videos: [UserInput.Video] = []
    ) -> Self {
      Self(role: .system, content: content, images: images, videos: videos)
    }

    public static func assistant(
      _ content: String, images: [UserInput.Image] = [], videos: [UserInput.Video] = []
    ) -> Self {
      Self(role: .assistant, content: content, images: images, videos: videos)
    }

    public static func user(
      _ content: String, images: [UserInput.Image] = [], videos: [UserInput.Video] = []
    ) -> Self {
      Self(role: .user, content: content, images: images, videos: videos)
    }

    public enum Role: String {
      case user
      case assistant
      case system
      case tool
    }
  }
}
