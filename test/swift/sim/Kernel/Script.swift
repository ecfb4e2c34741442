// What the user and the rest of the phone do during a run: a list of timed actions, generated from
// the seed (or given, to replay or shrink a run).

import Foundation

/// The images a user picks: photos and screenshots at the sizes phones make them, and a small one.
public enum SimImages {
  /// Width and height in pixels.
  public static let sizes: [(width: Int, height: Int)] = [
    (4032, 3024),  // a 12 MP photo, landscape
    (3024, 4032),  // the same, portrait
    (1179, 2556),  // an iPhone 15 screenshot
    (1920, 1080),  // a video frame
    (1024, 1024),  // a square image
    (320, 240),  // a small image
  ]
}

/// One thing that happens.
public enum Action: Codable, Equatable, Sendable {
  /// The app starts and its view appears.
  case launch
  /// The user picks image `image` (an index into `SimImages.sizes`) and taps Ask.
  case ask(image: Int)
  /// The user taps the Ask/Stop button, whatever it shows now.
  case tap
  /// The user taps Stop (if it shows).
  case stop
  /// UIKit posts a memory warning with no cause the world knows of (another process's doing,
  /// Xcode's "Simulate Memory Warning").
  case memoryWarning
  /// Other apps take (positive) or give back (negative) this many MiB.
  case others(Int)
  /// The app stops being active (Control Center, a call, the app switcher, the lock button).
  case resignActive
  /// The app enters the background.
  case enterBackground
  /// The app comes back and becomes active.
  case becomeActive
}

extension Action {
  /// Whether the user does it on the screen (which only an active app receives).
  public var isTouch: Bool {
    switch self {
    case .ask, .tap, .stop: true
    default: false
    }
  }
}

/// An action at a time.
public struct ScriptEvent: Codable, Equatable, Sendable {
  /// Milliseconds of virtual time since the run began.
  public var at: Int
  public var action: Action

  public init(at: Int, action: Action) {
    self.at = at
    self.action = action
  }
}

/// How long and busy a generated run is.
public struct ScriptShape: Sendable {
  /// How many user actions (asks, taps, leaving) the run has, at most.
  public var actions: ClosedRange<Int>
  /// The pause between a user's actions, in milliseconds.
  public var thinking: ClosedRange<Int>

  public init(actions: ClosedRange<Int>, thinking: ClosedRange<Int>) {
    self.actions = actions
    self.thinking = thinking
  }

  /// Runs for CI: short and busy.
  public static let quick = ScriptShape(actions: 4...10, thinking: 200...20_000)
}

extension ScriptGenerator {
  /// A calm session, for the benchmark: `answers` questions about pictures, each asked once the
  /// last answer has had time to end (100 to 130 seconds apart: a load, a prompt and 1000 tokens
  /// at the slowest pace take 90), while the other apps come and go a little.
  public static func session(seed: UInt64, answers: Int) -> [ScriptEvent] {
    var random = SeededRandom(seed: seed ^ 0x5E55_1011)
    var events = [ScriptEvent(at: 0, action: .launch)]
    var time = random.int(1_000...5_000)
    for _ in 0..<answers {
      events.append(ScriptEvent(at: time, action: .ask(image: random.int(0...(SimImages.sizes.count - 1)))))
      if random.chance(0.3) {
        let change = random.int(50...300)
        events.append(ScriptEvent(at: time + random.int(10_000...90_000), action: .others(random.chance(0.5) ? change : -change)))
      }
      time += random.int(100_000...130_000)
    }
    return events.sorted { $0.at < $1.at }
  }
}

/// Generates a run's actions from its seed: a user who asks about pictures, sometimes stops an
/// answer, taps twice, switches images or leaves the app; other apps that take and give back
/// memory; the odd warning from elsewhere.
public enum ScriptGenerator {
  public static func generate(seed: UInt64, shape: ScriptShape) -> [ScriptEvent] {
    var random = SeededRandom(seed: seed ^ 0x5C_219_7)
    var events = [ScriptEvent(at: 0, action: .launch)]
    var time = random.int(100...3000)
    let count = random.int(shape.actions)
    for _ in 0..<count {
      let roll = random.int(0...99)
      switch roll {
      case 0..<45:
        events.append(ScriptEvent(at: time, action: .ask(image: random.int(0...(SimImages.sizes.count - 1)))))
        if random.chance(0.2) {
          events.append(ScriptEvent(at: time + random.int(300...10_000), action: .stop))
        }
      case 45..<53:
        // Rapid repeated taps on the button.
        var at = time
        for _ in 0..<random.int(2...5) {
          events.append(ScriptEvent(at: at, action: .tap))
          at += random.int(40...400)
        }
      case 53..<63:
        // Leaving the app: inactive at once, in the background after the switch animation or
        // the lock (Apple gives "some time" between the two); back later.
        events.append(ScriptEvent(at: time, action: .resignActive))
        if random.chance(0.8) {
          let gone = time + random.int(30...600)
          events.append(ScriptEvent(at: gone, action: .enterBackground))
          time = gone + random.int(1_000...120_000)
        } else {
          time += random.int(300...5_000)
        }
        events.append(ScriptEvent(at: time, action: .becomeActive))
      case 63..<85:
        let mebibytes = random.int(100...1500)
        events.append(ScriptEvent(at: time, action: .others(random.chance(0.55) ? mebibytes : -mebibytes)))
      case 85..<90:
        events.append(ScriptEvent(at: time, action: .memoryWarning))
      default:
        // Asks again about the same kind of picture right after an answer may have ended.
        events.append(ScriptEvent(at: time, action: .ask(image: random.int(0...(SimImages.sizes.count - 1)))))
      }
      time += random.int(shape.thinking)
    }
    return events.sorted { $0.at < $1.at }
  }
}
