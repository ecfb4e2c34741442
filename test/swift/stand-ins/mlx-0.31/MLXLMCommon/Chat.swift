// Stand-in for MLXLMCommon, for memtier's tests: `Chat` as mlx-swift-lm 3.31.4 declares it
// (Libraries/MLXLMCommon/Chat.swift). Against 2.30.6, a message also carries audio and tool-call
// metadata, `user` takes audio, `assistant` tool calls, and `tool(_:id:)` answers a call; `Role`
// is Sendable in the declaration itself. `MessageGenerator` and `DefaultMessageGenerator` are in
// MessageGenerator.swift; the other implementations are left out.

/// `Chat`: the messages of a conversation.
public enum Chat {
  /// `Chat.Message`: not Sendable.
  public struct Message {
    public var role: Role
    public var content: String
    public var images: [UserInput.Image]
    public var videos: [UserInput.Video]
    public var audios: [UserInput.Audio]
    public var tool: Tool?

    /// `Chat.Message.Tool`: a message's tool calls, or the call a tool result answers.
    public struct Tool: Sendable {
      enum Kind: Sendable {
        case calls([ToolCall])
        case result(id: String)
      }

      let kind: Kind

      public static func calls(_ calls: [ToolCall]) -> Self { Self(kind: .calls(calls)) }
      public static func result(id: String) -> Self { Self(kind: .result(id: id)) }
    }

    public init(
      role: Role, content: String,
      images: [UserInput.Image] = [],
      videos: [UserInput.Video] = [],
      audios: [UserInput.Audio] = [],
      tool: Tool? = nil
    ) {
      (self.role, self.content, self.tool) = (role, content, tool)
      (self.images, self.videos, self.audios) = (images, videos, audios)
    }

    public static func system(
      _ content: String, images: [UserInput.Image] = [], videos: [UserInput.Video] = []
    ) -> Self {
      Self(role: .system, content: content, images: images, videos: videos)
    }

    public static func assistant(
      _ content: String,
      images: [UserInput.Image] = [],
      videos: [UserInput.Video] = [],
      toolCalls: [ToolCall]? = nil
    ) -> Self {
      Self(
        role: .assistant, content: content, images: images, videos: videos,
        tool: toolCalls.map(Tool.calls))
    }

    public static func user(
      _ content: String,
      images: [UserInput.Image] = [],
      videos: [UserInput.Video] = [],
      audios: [UserInput.Audio] = []
    ) -> Self {
      Self(role: .user, content: content, images: images, videos: videos, audios: audios)
    }

    public static func tool(_ content: String, id: String? = nil) -> Self {
      Self(role: .tool, content: content, tool: id.map(Tool.result))
    }

    /// The roles, in the real declaration's order (their raw values are the role names).
    public enum Role: String, Sendable {
      case user, assistant, system, tool
    }
  }
}
