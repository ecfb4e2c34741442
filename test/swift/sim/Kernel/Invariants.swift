// The invariants of issue 25, checked after every step of a run of a memtier-managed app.

import Foundation

/// What happened so far that the invariants need to remember.
struct History {
  /// When the last load completed, if one did.
  var lastLoadCompleted: Duration?
  /// Since the last load started: was there any sign of pressure (a warning, a Dispatch event
  /// above normal, the monitor or the footprint at critical, the app leaving the foreground)?
  var pressureSinceLastLoad = false
  /// A load the app started while a copy was resident or loading.
  var secondCopyAt: Duration?
  /// A load or a generation started while the app was in the background.
  var startedInBackground: (what: String, at: Duration)?
  /// A load that reloaded the model with no pressure since the last one, on a tier that keeps it.
  var needlessReload: Duration?
  /// How many loads came after a completed one with no sign of pressure since it began.
  var reloadsWithoutPressure = 0
  var lastWarning: Duration?
  var lastDispatchAbove: Duration?

  mutating func loadStarted(at time: Duration, copiesBefore: Int, lifecycle: Lifecycle) {
    if copiesBefore > 0 && secondCopyAt == nil { secondCopyAt = time }
    if lifecycle == .background && startedInBackground == nil { startedInBackground = ("a load", time) }
    if lastLoadCompleted != nil && !pressureSinceLastLoad {
      reloadsWithoutPressure += 1
      if needlessReload == nil { needlessReload = time }
    }
    // Pressure from here on (during this load too) can justify the next one.
    pressureSinceLastLoad = false
  }

  mutating func loadCompleted(at time: Duration) {
    lastLoadCompleted = time
  }

  mutating func generationStarted(at time: Duration, lifecycle: Lifecycle) {
    if lifecycle == .background && startedInBackground == nil { startedInBackground = ("a generation", time) }
  }

  mutating func memoryWarning(at time: Duration) {
    lastWarning = time
    pressureSinceLastLoad = true
  }

  mutating func systemEvent(at time: Duration, level: Level) {
    if level > .normal {
      lastDispatchAbove = time
      pressureSinceLastLoad = true
    }
  }

  mutating func lifecycle(at time: Duration, _ state: Lifecycle) {
    if state != .active { pressureSinceLastLoad = true }
  }

  mutating func monitorSaw(_ level: Level) {
    if level == .critical { pressureSinceLastLoad = true }
  }
}

/// A broken invariant.
public struct Violation: Codable, Sendable, Equatable {
  /// The invariant's short name (stable: tests and shrinking compare it).
  public let invariant: String
  /// What happened.
  public let detail: String
  /// Virtual time, in milliseconds.
  public let atMilliseconds: Int
  /// The scheduler's step.
  public let step: Int
}

/// The invariants, each with the name a failure reports.
public enum Invariant: String, CaseIterable, Sendable {
  case noKillWhenTheEstimateFits = "the app is never killed when the tier's estimate fits the device"
  case oneCopy = "never two copies of the model"
  case noGPUWorkInTheBackground = "no GPU work started in the background"
  case noUnlockedClearCacheWhileEvaluating = "no unlocked clearCache during evaluation"
  case pressureRecovers = "pressure returns to normal after recovery"
  case keepsTheModel = "a tier that keeps the model does not reload it between answers under normal pressure"
  case emergencyReleases = "an emergency leaves no model resident while critical once nothing holds it"
  /// Not in issue 25's list; its defect 5 (the patched classes never release on tiers that do not
  /// keep the model; the fork's launch preload keeps it) in invariant form.
  case releasesWhenNotKept = "a tier that does not keep the model releases it once nothing uses it"
}

/// Checks the invariants after each step; keeps the state some of them need across steps.
@MainActor
public final class InvariantChecker {
  private let phone: Phone
  private let app: any SimulatedApp
  /// How long the world may be calm (usage under the recovery share, the system normal, no
  /// warning) before the monitor must say normal: a polling interval and a second.
  private let recoveryGrace: Duration
  /// How long a model may stay resident at critical with nothing holding it.
  private let releaseGrace: Duration
  private var calmSince: Duration?
  private var idleAtCriticalSince: Duration?
  private var lastMonitorLevel: Level = .normal
  private var unusedSince: Duration?
  private var lastHolds = false
  /// Invariant checks made (one per invariant per step).
  public private(set) var checks = 0

  public init(phone: Phone, app: any SimulatedApp) {
    self.phone = phone
    self.app = app
    let polling = Duration.milliseconds(Int64(phone.input.pressure.pollingSeconds * 1000))
    recoveryGrace = polling + .seconds(1)
    releaseGrace = polling + .seconds(1)
  }

  /// Checks every invariant now; returns the first broken one.
  public func check(step: Int) -> Violation? {
    checks += Invariant.allCases.count
    let now = phone.now
    let monitor = app.monitorPressure
    if app.holdsModel != lastHolds {
      lastHolds.toggle()
      phone.note(lastHolds ? "the evaluator keeps the model (loadState)" : "the evaluator lets the model go (loadState)")
    }
    if let monitor {
      phone.history.monitorSaw(monitor)
      if monitor != lastMonitorLevel {
        phone.note("the monitor says \(monitor)")
        lastMonitorLevel = monitor
      }
    }
    func broken(_ invariant: Invariant, _ detail: String) -> Violation {
      Violation(invariant: invariant.rawValue, detail: detail, atMilliseconds: Int(now / .milliseconds(1)), step: step)
    }
    if let at = phone.history.secondCopyAt {
      return broken(.oneCopy, "a load started at \(Phone.format(at)) while another copy was in memory or loading")
    }
    if let started = phone.history.startedInBackground {
      return broken(.noGPUWorkInTheBackground, "\(started.what) started in the background at \(Phone.format(started.at))")
    }
    switch phone.death {
    case .killedOverLimit(let footprint) where phone.estimateFits:
      return broken(
        .noKillWhenTheEstimateFits,
        "killed at \(footprint / mebibyte) MiB over the \(phone.limit / mebibyte) MiB limit, though the \(phone.tier.name) estimate (\(phone.tier.estimate / mebibyte) MiB) fits")
    case .libraryCrash(let what) where what.hasPrefix("GPU work in the background"):
      return broken(.noGPUWorkInTheBackground, what)
    case .libraryCrash(let what) where what.hasPrefix("clearCache"):
      return broken(.noUnlockedClearCacheWhileEvaluating, what)
    default: break
    }
    if phone.tier.keepModelLoaded, let at = phone.history.needlessReload {
      return broken(.keepsTheModel, "the model was loaded again at \(Phone.format(at)) with no sign of pressure since the last load")
    }
    if let monitor {
      if let violation = checkRecovery(monitor, now: now, broken: broken) { return violation }
      if let violation = checkRelease(monitor, now: now, broken: broken) { return violation }
    }
    return checkNotKept(now: now, broken: broken)
  }

  private func checkNotKept(now: Duration, broken: (Invariant, String) -> Violation) -> Violation? {
    guard !phone.tier.keepModelLoaded, phone.copies > 0, !phone.libraryBusy, !app.isBusy else {
      unusedSince = nil
      return nil
    }
    let since = unusedSince ?? now
    unusedSince = since
    guard now - since >= releaseGrace else { return nil }
    return broken(
      .releasesWhenNotKept,
      "the \(phone.tier.name) tier does not keep the model, but it has stayed in memory since \(Phone.format(since)) with no answer or load running")
  }

  private func checkRecovery(
    _ monitor: Level, now: Duration, broken: (Invariant, String) -> Violation
  ) -> Violation? {
    let recovery = phone.input.pressure.recoveryPercent / 100
    let calm = phone.fractionOfLimit < recovery && phone.systemLevel == .normal
    guard calm else {
      calmSince = nil
      return nil
    }
    let lastSignal = max(phone.history.lastWarning ?? .zero, phone.history.lastDispatchAbove ?? .zero)
    let since = max(calmSince ?? now, lastSignal)
    calmSince = since
    guard monitor != .normal, now - since >= recoveryGrace else { return nil }
    return broken(
      .pressureRecovers,
      "the monitor still says \(monitor) \(Phone.format(now - since)) after usage fell to \(Int(phone.fractionOfLimit * 100))% of the limit with the system normal")
  }

  private func checkRelease(
    _ monitor: Level, now: Duration, broken: (Invariant, String) -> Violation
  ) -> Violation? {
    guard monitor == .critical, phone.copies > 0, !phone.libraryBusy, !app.isBusy else {
      idleAtCriticalSince = nil
      return nil
    }
    let since = idleAtCriticalSince ?? now
    idleAtCriticalSince = since
    guard now - since >= releaseGrace else { return nil }
    return broken(
      .emergencyReleases,
      "the model has stayed in memory at critical pressure since \(Phone.format(since)) with no answer or load running")
  }
}
