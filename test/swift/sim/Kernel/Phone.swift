// The simulated iPhone: one app, its memory, its life cycle, the other apps, and what iOS does
// about them. Every rule names where it comes from; docs/simulation.md lists them with the
// reasoning. Rules that no source settles are chosen to be no kinder than a real phone.

import Foundation
import StandInSupport

/// Where the app is in its life cycle (UIKit's states).
public enum Lifecycle: String, Sendable, Codable {
  case active, inactive, background
}

/// A pressure level, as the monitor and Dispatch name them.
public enum Level: Int, Sendable, Comparable, Codable {
  case normal, warning, critical
  public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How a run ended early.
public enum Death: Equatable, Sendable {
  /// Over the per-app limit: iOS kills the app (SIGKILL) on the allocating thread.
  case killedOverLimit(footprint: UInt64)
  /// In the background while the system ran short: jetsam reclaims background apps first.
  case evictedInBackground
  /// A crash the stand-in library recorded ("clearCache while evaluating", "GPU work in the
  /// background (…)").
  case libraryCrash(String)
  /// A load that was running when the app left the foreground went on in the background: iOS
  /// refuses its GPU work and MLX aborts. It cannot be stopped, so it is the library's.
  case loadInBackground

  public var summary: String {
    switch self {
    case .killedOverLimit(let footprint): "killed over the app limit at \(footprint / mebibyte) MiB"
    case .evictedInBackground: "evicted in the background"
    case .libraryCrash(let what): "crash: \(what)"
    case .loadInBackground: "crash: a load in flight went on in the background (the library's)"
    }
  }
}

/// One generation the library runs.
struct GenerationRecord {
  let id: Int
  let maxTokens: Int
  /// Tokens of the prompt and the image(s).
  let contextTokens: Int
  /// How many tokens this answer would have: the world's choice, at most maxTokens.
  let length: Int
  var produced = 0
  var producer: Int?
}

/// Counts for the benchmark and the report.
public struct Metrics: Sendable, Codable {
  public var loadsStarted = 0
  public var loadsCompleted = 0
  public var answersStarted = 0
  public var answersCompleted = 0
  public var stoppedByUser = 0
  public var cutShortByPressure = 0
  public var cutShortByBackground = 0
  public var mainThreadBlockedNanoseconds: Int64 = 0
  public var peakFootprint: UInt64 = 0
  /// Loads after a completed one with no sign of pressure since it began (a warning, a Dispatch
  /// event above normal, the footprint or the monitor at critical, the app leaving).
  public var reloadsWithoutPressure = 0
  public var memoryWarnings = 0
  public var dispatchEvents = 0
  public var wallClockSleeps = 0
}

/// The simulated iPhone of one run.
public final class Phone: @unchecked Sendable {
  /// The phone of the run in progress (the stand-ins' hooks and the app's shims reach it here).
  public nonisolated(unsafe) static var current: Phone?

  public let input: WorldInput
  public let device: WorldInput.Device
  public let tier: WorldInput.Tier
  /// Whether the app has the increased-memory-limit entitlement.
  public let entitled: Bool
  /// The per-app limit on `phys_footprint`: the catalog's measured available memory plus the
  /// app's baseline (see Memory.swift).
  public let limit: UInt64
  /// The limit as the catalog gives it (memory available to the app at launch).
  public let catalogLimit: UInt64

  // The phone's state, read and written under `lock` (the stand-ins' hooks reach it from the
  // worker thread, the world's events from the main thread; never both at once, but the lock
  // keeps each access whole).
  let lock = NSLock()
  /// The world's own choices (timings, warnings, answers' lengths), from the run's seed.
  var random: SeededRandom
  var ledger: Ledger
  public internal(set) var lifecycle: Lifecycle = .active
  /// Memory the system itself holds (kernel, daemons): a fifth of the device's.
  let wired: UInt64
  /// Memory the other apps hold. They take what the script says while there is room, and jetsam
  /// takes it back from them: when less than a tenth of the device is available it kills idle and
  /// background processes (0.2 to 2 seconds later, the time a kill and its release take), and at
  /// once below a twentieth (JETSAM_REASON_MEMORY_VMPAGESHORTAGE, xnu doc/memorystatus/kill.md:
  /// "we kill idle procs when available_pages < 10% and all others when available_pages < 5%"; the
  /// foreground app is the last in line). Never less than a twentieth: the system's own apps.
  public internal(set) var others: UInt64
  var reclaimScheduled = false
  public internal(set) var systemLevel: Level = .normal
  var limitWarningArmed = true
  var nextID = 0
  var generations: [Int: GenerationRecord] = [:]
  var unbound: [Int] = []
  var producers: [Int: Int] = [:]
  var lastProducer: Int?
  var imageTokensOfNextPrompt = 0
  var finished = false
  var backgroundEntries = 0
  /// How many times the app has entered the background.
  var backgroundVisits: Int { lock.withLock { backgroundEntries } }
  var pendingDispatch: Set<Level> = []
  var dispatchScheduled = false
  var prefilling: Int?
  var prefillQueue: [(Int, CheckedContinuation<Void, Never>)] = []
  var callLogRead = 0
  var userStopAt: Duration?
  var leftForegroundAt: Duration?
  public internal(set) var death: Death?
  public internal(set) var deathAt: Duration?
  public internal(set) var metrics = Metrics()
  /// What happened, one line per event, with its virtual time: the run's trace.
  public internal(set) var trace: [String] = []
  /// Invariant bookkeeping the checker reads.
  var history = History()
  /// The app, for the events that reach it.
  @MainActor public var app: (any SimulatedApp)?

  /// Every answer runs to maxTokens.
  let longAnswers: Bool

  public init(
    input: WorldInput, device: WorldInput.Device, tier: WorldInput.Tier, entitled: Bool, seed: UInt64,
    longAnswers: Bool = false
  ) {
    self.longAnswers = longAnswers
    self.input = input
    self.device = device
    self.tier = tier
    self.entitled = entitled
    var random = SeededRandom(seed: seed ^ 0xD1CE_0F_F0_0D)
    ledger = Ledger(weights: input.model.weights)
    catalogLimit = entitled ? device.increasedLimit : device.standardLimit
    limit = catalogLimit + ledger.baseline
    wired = device.reported / 5
    others = device.reported / 10 + UInt64(random.int(0...Int(device.reported / 10 / mebibyte))) * mebibyte
    self.random = random
  }

  // MARK: - Reading the phone

  /// Virtual time now.
  public var now: Duration { Scheduler.shared.now }

  /// The app's footprint now.
  public var footprint: UInt64 { lock.withLock { ledger.footprint } }

  /// What the monitor's `measure` returns on this phone: the footprint and what the app may still
  /// allocate (`os_proc_available_memory()`), 0 once over the limit.
  public func usage() -> (footprint: UInt64, available: UInt64) {
    lock.withLock {
      let footprint = ledger.footprint
      return (footprint, limit > footprint ? limit - footprint : 0)
    }
  }

  /// Copies of the model in memory or loading.
  public var copies: Int { lock.withLock { ledger.copies } }

  /// Whether the library is working on anything (a load or a generation, winding down included).
  public var libraryBusy: Bool { lock.withLock { !ledger.loading.isEmpty || !generations.isEmpty } }

  /// The footprint's share of the app limit.
  public var fractionOfLimit: Double { Double(footprint) / Double(limit) }

  /// Whether memtier's estimate for the tier fits under this device's app limit.
  public var estimateFits: Bool { tier.estimate <= catalogLimit }

  /// The run is over: from now on the phone records and decides nothing (the app's tasks still
  /// end, on virtual time, so that nothing is left for the next run).
  public func finish() {
    lock.withLock { finished = true }
  }

  var isFinished: Bool { lock.withLock { finished } }

  func note(_ line: String) {
    guard !isFinished else { return }
    let time = Scheduler.shared.now
    let text = "\(Self.format(time)) \(line)"
    lock.withLock { trace.append(text) }
  }

  /// `12.345s`.
  public static func format(_ time: Duration) -> String {
    let ms = Int(time / .milliseconds(1))
    return String(format: "%d.%03ds", ms / 1000, ms % 1000)
  }
}

/// The pacing the stand-in library awaits: this phone's.
public struct PhonePacing: LibraryPacing {
  public init() {}
  public func load() async { await Phone.current?.paceLoad() }
  public func token(_ index: Int) async { await Phone.current?.paceToken(index) }
  public func windDown() async { await Phone.current?.paceWindDown() }
}
