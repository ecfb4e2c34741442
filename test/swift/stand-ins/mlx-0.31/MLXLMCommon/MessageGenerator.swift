// Stand-in for MLXLMCommon, for memtier's tests: `MessageGenerator` and `DefaultMessageGenerator`
// as mlx-swift-lm 3.31.4 declares them (Libraries/MLXLMCommon/Chat.swift): what a processor uses to
// turn a `UserInput` into the messages its chat template reads. Left out: `addToolMetadata` and the
// other generators. The messages made from a `UserInput` here are ours (the stand-in's `UserInput`
// has no prompt).

/// `MessageGenerator`: turns a `UserInput` or chat messages into what the chat template reads.
public protocol MessageGenerator: Sendable {
  func generate(from input: UserInput) -> [Message]
  func generate(messages: [Chat.Message]) -> [Message]
  func generate(message: Chat.Message) -> Message
}

extension MessageGenerator {
  public func generate(message: Chat.Message) -> Message {
    ["role": message.role.rawValue, "content": message.content]
  }

  public func generate(messages: [Chat.Message]) -> [Message] {
    messages.map { generate(message: $0) }
  }

  public func generate(from input: UserInput) -> [Message] {
    [["role": "user", "content": ""]]
  }
}

/// `DefaultMessageGenerator`: `role` and `content`.
public struct DefaultMessageGenerator: MessageGenerator {
  public init() {}
}
