// Stand-in for MLXLMCommon, for memtier's tests: `Chat` (Libraries/MLXLMCommon/Chat.swift), the same
// in mlx-swift-lm 2.29.2 and 2.30.6 except that 2.30.6 makes `Role` Sendable (see the era folders).
// 3.x adds audio and tool calls (../../mlx-0.31/).

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
      (self.role, self.content) = (role, content)
      (self.images, self.videos) = (images, videos)
    }

    // The three factories share one body here; their signatures are the real ones.
    private static func make(
      _ role: Role, _ content: String, _ images: [UserInput.Image], _ videos: [UserInput.Video]
    ) -> Self {
      Self(role: role, content: content, images: images, videos: videos)
    }

    public static func user(
      _ content: String, images: [UserInput.Image] = [], videos: [UserInput.Video] = []
    ) -> Self { make(.user, content, images, videos) }

    public static func assistant(
      _ content: String, images: [UserInput.Image] = [], videos: [UserInput.Video] = []
    ) -> Self { make(.assistant, content, images, videos) }

    public static func system(
      _ content: String, images: [UserInput.Image] = [], videos: [UserInput.Video] = []
    ) -> Self { make(.system, content, images, videos) }

    /// The roles, in the real declaration's order (their raw values are the role names).
    public enum Role: String {
      case user, assistant, system, tool
    }
  }
}
