// Stand-in for the few SwiftUI types the fixture's view code uses, so that the app file compiles
// on Linux. Nothing renders.

// Like the real SwiftUI, make @Observable and Foundation's types available to files that import
// SwiftUI (mlx-swift-examples' LLMEval uses URL, Timer and FileManager with no Foundation import).
@_exported import Foundation
@_exported import Observation

/// `SwiftUI.View`.
@MainActor
public protocol View {
  associatedtype Body: View
  @ViewBuilder var body: Body { get }
}

extension Never: View {
  public var body: Never { fatalError("Never has no body") }
}

/// `SwiftUI.ViewBuilder`, for blocks of up to three views.
@MainActor
@resultBuilder
public enum ViewBuilder {
  public static func buildBlock<Content: View>(_ content: Content) -> Content { content }
  public static func buildBlock<A: View, B: View>(_ a: A, _ b: B) -> TupleView<(A, B)> {
    TupleView((a, b))
  }
  public static func buildBlock<A: View, B: View, C: View>(_ a: A, _ b: B, _ c: C) -> TupleView<
    (A, B, C)
  > {
    TupleView((a, b, c))
  }
}

/// `SwiftUI.TupleView`.
public struct TupleView<T>: View {
  public let value: T
  public init(_ value: T) { self.value = value }
  public var body: Never { fatalError("TupleView has no body") }
}

/// `SwiftUI.Text`.
public struct Text: View {
  public let content: String
  public init(_ content: String) { self.content = content }
  public var body: Never { fatalError("Text has no body") }
}

/// `SwiftUI.Button` with a title.
public struct Button: View {
  public let title: String
  public let action: @MainActor () -> Void
  public init(_ title: String, action: @escaping @MainActor () -> Void) {
    self.title = title
    self.action = action
  }
  public var body: Never { fatalError("Button has no body") }
}

/// `SwiftUI.VStack`.
public struct VStack<Content: View>: View {
  public let content: Content
  public init(@ViewBuilder content: () -> Content) { self.content = content() }
  public var body: Never { fatalError("VStack has no body") }
}

/// `SwiftUI.State`.
@MainActor
@propertyWrapper
public struct State<Value> {
  private final class Box {
    var value: Value
    init(_ value: Value) { self.value = value }
  }
  private let box: Box
  public init(wrappedValue: Value) { box = Box(wrappedValue) }
  public var wrappedValue: Value {
    get { box.value }
    nonmutating set { box.value = newValue }
  }
}
