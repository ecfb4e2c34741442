// One run of the simulated iPhone: a pure function of (seed, device, tier, era, app, events).

import Foundation
import StandInSupport

/// What a run is.
public struct RunSpec: Codable, Sendable, Equatable {
  public var seed: UInt64
  public var device: String
  public var tier: String
  public var app: String
  /// The MLX era the runner was built for ("mlx-0.29", "mlx-0.30"); informative.
  public var era: String
  /// Whether the app has the increased-memory-limit entitlement.
  public var entitled: Bool
  /// The run's actions; generated from the seed when absent.
  public var events: [ScriptEvent]?
  /// A calm session of this many questions (the benchmark's); default: a quick, busy run.
  public var answers: Int?
  /// Every answer runs to `maxTokens` (scripted cases that act while an answer runs).
  public var longAnswers: Bool?

  public init(
    seed: UInt64, device: String, tier: String, app: String, era: String, entitled: Bool,
    events: [ScriptEvent]? = nil, answers: Int? = nil
  ) {
    self.seed = seed
    self.device = device
    self.tier = tier
    self.app = app
    self.era = era
    self.entitled = entitled
    self.events = events
    self.answers = answers
  }

  /// The actions of this run.
  public func script() -> [ScriptEvent] {
    if let events { return events }
    if let answers { return ScriptGenerator.session(seed: seed, answers: answers) }
    return ScriptGenerator.generate(seed: seed, shape: .quick)
  }
}

/// What a run did.
public struct RunResult: Codable, Sendable {
  public var spec: RunSpec
  public var steps: Int
  public var invariantChecks: Int
  public var violation: Violation?
  public var death: String?
  public var metrics: Metrics
  /// The app limit (bytes) and memtier's estimate for the tier (bytes).
  public var limit: UInt64
  public var estimate: UInt64
  /// Virtual milliseconds the run lasted.
  public var lastedMilliseconds: Int
  /// Where the run left tasks behind after the app was let go, if it did.
  public var leftover: String?
  /// The trace, when asked for.
  public var trace: [String]?
  /// A digest of the trace: two runs of the same spec must give the same.
  public var traceDigest: String
}

/// The app and its checker, once the app has launched.
@MainActor
final class RunState {
  var app: (any SimulatedApp)?
  var checker: InvariantChecker?
}

/// Runs the simulated iPhone.
public enum Simulation {
  /// How long after its last action a run goes on (answers finish, samples come).
  static let tail = Duration.seconds(90)
  /// The most steps one run may take.
  static let stepLimit = 400_000

  /// Runs `spec` with the app `factory` makes. Call from the main thread, one run at a time.
  @MainActor
  public static func run(
    _ spec: RunSpec, input: WorldInput, factory: AppFactory, keepTrace: Bool = false
  ) -> RunResult {
    guard let device = input.device(spec.device), let tier = input.tier(spec.tier) else {
      fatalError("no device \(spec.device) or tier \(spec.tier) in the world's input")
    }
    CallLog.shared.reset()
    LibraryWorld.shared.reset()
    LibraryWorld.shared.pacing = PhonePacing()
    Scheduler.shared.begin(seed: spec.seed)
    let phone = Phone(
      input: input, device: device, tier: tier, entitled: spec.entitled, seed: spec.seed,
      longAnswers: spec.longAnswers ?? false)
    Phone.current = phone
    Scheduler.shared.beforeTimeAdvances = { [weak phone] in
      phone?.readCallLog()
      phone?.atRest()
    }
    let events = spec.script()
    let run = RunState()
    let tierName = tier.name
    for event in events {
      Scheduler.shared.schedule(after: .milliseconds(event.at)) {
        MainActor.assumeIsolated {
          guard phone.death == nil else { return }
          if case .launch = event.action, run.app == nil {
            let made = factory.make(phone, tierName)
            run.app = made
            phone.app = made
            run.checker = InvariantChecker(phone: phone, app: made)
          }
          perform(event.action, on: phone, app: run.app)
        }
      }
    }
    let end = Duration.milliseconds(events.last?.at ?? 0) + tail
    var violation: Violation?
    var steps = 0
    while steps < stepLimit {
      let kind = Scheduler.shared.step()
      steps += 1
      phone.readCallLog()
      if factory.managed, let checker = run.checker, violation == nil, let broken = checker.check(step: steps) {
        violation = broken
        phone.note("INVARIANT BROKEN: \(broken.invariant): \(broken.detail)")
      }
      if violation != nil || phone.death != nil || kind == .idle { break }
      if Scheduler.shared.now > end && !Scheduler.shared.hasReadyJobs { break }
    }
    phone.finish()
    let lasted = Int(Scheduler.shared.now / .milliseconds(1))
    let checks = run.checker?.checks ?? 0
    run.checker = nil
    let leftover = tearDown(phone: phone, app: &run.app)
    phone.app = nil
    let trace = phone.trace
    return RunResult(
      spec: spec, steps: steps, invariantChecks: checks, violation: violation,
      death: phone.death?.summary, metrics: phone.finalMetrics(), limit: phone.limit,
      estimate: tier.estimate, lastedMilliseconds: lasted, leftover: leftover,
      trace: keepTrace ? trace : nil, traceDigest: digest(trace))
  }

  @MainActor
  private static func perform(_ action: Action, on phone: Phone, app: (any SimulatedApp)?) {
    guard let app else { return }
    if phone.lifecycle != .active, action.isTouch {
      return phone.note("the user cannot tap: the app is \(phone.lifecycle.rawValue)")
    }
    switch action {
    case .launch:
      phone.note("the app launches")
      app.launch()
    case .ask(let image):
      let size = SimImages.sizes[image % SimImages.sizes.count]
      guard !app.isBusy else { return phone.note("the user would ask, but an answer is running") }
      phone.note("the user asks about a \(size.width)x\(size.height) picture")
      app.ask(width: size.width, height: size.height)
    case .tap:
      if app.isBusy {
        phone.note("the user taps Stop")
        phone.userStops()
        app.stop()
      } else {
        phone.note("the user taps Ask")
        app.ask(width: 4032, height: 3024)
      }
    case .stop:
      guard app.isBusy else { return }
      phone.note("the user taps Stop")
      phone.userStops()
      app.stop()
    case .memoryWarning:
      phone.postMemoryWarning()
    case .others(let mebibytes):
      phone.othersChange(by: mebibytes)
    case .resignActive:
      phone.setLifecycle(.inactive)
    case .enterBackground:
      phone.setLifecycle(.background)
    case .becomeActive:
      phone.setLifecycle(.active)
    }
  }

  /// Lets the app go and lets its tasks end, on virtual time: the world's pacing answers at once
  /// from now on. Returns what was left behind, if anything.
  @MainActor
  private static func tearDown(phone: Phone, app: inout (any SimulatedApp)?) -> String? {
    Scheduler.shared.dropActions()
    Scheduler.shared.beforeTimeAdvances = nil
    weak var evaluator = app?.evaluator
    app?.tearDown()
    app = nil
    Phone.current = nil
    LibraryWorld.shared.pacing = ImmediatePacing()
    LibraryWorld.shared.inBackground = false
    var steps = 0
    // Until nothing is left to run, the main queue included (`step` returns `.idle` only then).
    while steps < 20_000 && Scheduler.shared.step() != .idle { steps += 1 }
    if !Scheduler.shared.isDrained {
      return "tasks still running or waiting \(steps) steps after the app was let go (\(Scheduler.shared.sleeperCount) waiting)"
    }
    if evaluator != nil { return "the evaluator is still alive after the app let go of it" }
    return nil
  }

  /// A short, stable digest of a trace (FNV-1a, 64 bits).
  static func digest(_ lines: [String]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in lines.joined(separator: "\n").utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return String(hash, radix: 16)
  }
}
