// Stand-in for the app structure of SwiftUI, for memtier's tests: `App`, `Scene`, `SceneBuilder`
// and `WindowGroup` as Apple's SwiftUI reference declares them (iOS 14 and later): `App` and
// `Scene` are `@MainActor @preconcurrency` protocols whose `body` a `SceneBuilder` builds; `App`
// requires `init()` and has `static func main()`, so a type marked `@main` starts the app.
// `WindowGroup` and its `init(content:)` are declared nonisolated there; here they are main-actor
// isolated, which accepts fewer calls, not more. Left out: every other scene, builder overload and
// modifier. Nothing runs: `main()` makes the app, reads its body and returns.

/// `SwiftUI.App`.
@MainActor
@preconcurrency
public protocol App {
  associatedtype Body: Scene
  @SceneBuilder var body: Body { get }
  init()
}

extension App {
  /// The app's entry point.
  @MainActor
  @preconcurrency
  public static func main() {
    _ = Self().body
  }
}

/// `SwiftUI.Scene`.
@MainActor
@preconcurrency
public protocol Scene {
  associatedtype Body: Scene
  @SceneBuilder var body: Body { get }
}

extension Never: Scene {}

/// `SwiftUI.SceneBuilder`, for one scene.
@MainActor
@resultBuilder
public struct SceneBuilder {
  public static func buildBlock<Content: Scene>(_ content: Content) -> Content { content }
}

/// `SwiftUI.WindowGroup`.
@MainActor
public struct WindowGroup<Content: View>: Scene {
  public let content: Content
  public init(@ViewBuilder content: () -> Content) { self.content = content() }
  public var body: Never { fatalError("WindowGroup has no body") }
}
