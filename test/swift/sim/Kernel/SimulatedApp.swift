// What the simulation needs from an app: the user interface's actions and the system's
// notifications, as the app's own view code and memtier's generated observers handle them. Each
// evaluator class of the corpus has an adapter (test/swift/sim/Adapters/) compiled in its module.

/// An app under simulation.
@MainActor
public protocol SimulatedApp: AnyObject {
  /// The app's view appeared (its `.task` modifiers run: a launch preload where the app has one).
  func launch()
  /// The user taps Ask with a picture of `width` x `height` pixels.
  func ask(width: Int, height: Int)
  /// The user taps Stop.
  func stop()
  /// Whether the button shows Stop (an answer is being produced).
  var isBusy: Bool { get }
  /// UIKit posted `didReceiveMemoryWarningNotification`.
  func memoryWarning()
  /// The monitor's Dispatch memory-pressure source fired; its data holds the flags of `events`
  /// (more than one when events arrived before the handler ran).
  func systemPressure(_ events: Set<Level>)
  /// UIKit announced a life-cycle change.
  func lifecycle(_ state: Lifecycle)
  /// The runtime's pressure level, where the app has memtier's monitor.
  var monitorPressure: Level? { get }
  /// Whether the evaluator holds a loaded model in its `loadState`.
  var holdsModel: Bool { get }
  /// The evaluator object (the simulation checks that it goes when the app lets go of it).
  var evaluator: AnyObject? { get }
  /// The run is over: the app stops its monitor and lets go of everything.
  func tearDown()
}

/// Makes an app for a run: an evaluator class with its adapter.
public struct AppFactory: Sendable {
  /// The name runs use ("design-patched", "vlmeval-patched", ...).
  public let name: String
  /// Whether memtier manages this app (its invariants are checked), or it is an original class
  /// (measured for the benchmark only).
  public let managed: Bool
  /// Makes the app on `phone`, for tier `tier`.
  public let make: @MainActor @Sendable (_ phone: Phone, _ tier: String) -> any SimulatedApp

  public init(
    name: String, managed: Bool, make: @escaping @MainActor @Sendable (Phone, String) -> any SimulatedApp
  ) {
    self.name = name
    self.managed = managed
    self.make = make
  }
}
