// The simulated iPhone's scheduler: every job the Swift runtime would run on its global executor,
// every timer and every event of the simulated world runs here, one at a time, on virtual time.
//
// How (verified on the Swift 6.0.3 toolchain the harness provisions; see docs/simulation.md):
// - `swift_task_enqueueGlobal_hook` (exported by libswift_Concurrency) receives every job meant for
//   the global concurrent executor: new tasks, actor turns, resumed continuations of nonisolated
//   code. They are queued here and run one at a time on one worker thread, while the main thread
//   waits: one thread at a time, in an order chosen by the run's seeded generator.
// - Main-actor jobs cannot be taken the same way: the runtime never calls
//   `swift_task_enqueueMainExecutor_hook` (swiftlang/swift issue 63104, open), so they go to the
//   main Dispatch queue, which is FIFO. The main thread drains it one snapshot at a time with
//   `CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0, true)`, which reports whether it ran anything.
// - `swift_task_enqueueGlobalWithDeadline_hook` and `..._WithDelay_hook` receive every sleep on the
//   real clocks (`Task.sleep`, `ContinuousClock`, `SuspendingClock`); they become timers on the
//   virtual clock, so nothing waits on wall-clock time. Code under test should use an injected
//   clock (`SimClock`); such a real-clock sleep is counted (`wallClockSleeps`), and its length is
//   rounded to whole milliseconds, the one place where the machine's speed could leak in.

import CoreFoundation
import Foundation

typealias EnqueueOriginal = @convention(thin) (UnownedJob) -> Void
typealias EnqueueHook = @convention(thin) (UnownedJob, EnqueueOriginal) -> Void
typealias DelayOriginal = @convention(thin) (UInt64, UnownedJob) -> Void
typealias DelayHook = @convention(thin) (UInt64, UnownedJob, DelayOriginal) -> Void
typealias DeadlineOriginal = @convention(thin) (Int64, Int64, Int64, Int64, Int32, UnownedJob) -> Void
typealias DeadlineHook = @convention(thin) (
  Int64, Int64, Int64, Int64, Int32, UnownedJob, DeadlineOriginal
) -> Void

/// The runtime's clock reader (`swift_get_time`, Swift 6.0 runtime): seconds and nanoseconds of
/// clock 1 (continuous) or 2 (suspending).
@_silgen_name("swift_get_time")
func runtimeTime(
  _ seconds: UnsafeMutablePointer<Int64>, _ nanoseconds: UnsafeMutablePointer<Int64>, _ clock: CInt)

private func hookSlot<T>(_ name: String, _: T.Type) -> UnsafeMutablePointer<T?> {
  guard let address = dlsym(dlopen(nil, RTLD_NOW), name) else {
    fatalError("the Swift runtime exports no \(name): the simulation cannot order jobs")
  }
  return address.assumingMemoryBound(to: T?.self)
}

/// What the scheduler did in one step.
public enum StepKind: Equatable, Sendable {
  /// Ran one snapshot of the main queue (main-actor jobs).
  case main
  /// Ran one global-executor job on the worker thread.
  case global
  /// Advanced virtual time to the next timer and fired it.
  case time
  /// Nothing to run and no timer left.
  case idle
}

/// The process-wide scheduler (the runtime's hooks are process-wide). One simulation at a time.
public final class Scheduler: @unchecked Sendable {
  /// The one scheduler of this process.
  public static let shared = Scheduler()

  private let lock = NSLock()
  private var ready: [UnownedJob] = []
  private var timers = TimerQueue()
  private var sleepers: [UInt64: CheckedContinuation<Void, any Error>] = [:]
  private var uncancellable: [UInt64: CheckedContinuation<Void, Never>] = [:]
  private var cancelledSleeps: Set<UInt64> = []
  private var nextID: UInt64 = 0
  private var virtualNow: Duration = .zero
  private var random = SeededRandom(seed: 0)
  private var installed = false
  private let worker = Worker()

  /// Sleeps on the real clocks that were turned into virtual timers in this run.
  public private(set) var wallClockSleeps = 0
  /// Steps taken in this run.
  public private(set) var steps = 0

  /// Virtual time since the run began.
  public var now: Duration { lock.withLock { virtualNow } }

  private init() {}

  /// Takes over the runtime's global executor and real-clock timers (once per process), and starts
  /// a run: time zero, no jobs, no timers, and the interleaving generator seeded with `seed`.
  public func begin(seed: UInt64) {
    installHooks()
    lock.withLock {
      precondition(
        ready.isEmpty && sleepers.isEmpty && uncancellable.isEmpty,
        "a run began before the last one was drained")
      timers = TimerQueue()
      cancelledSleeps = []
      virtualNow = .zero
      random = SeededRandom(seed: seed ^ 0x5EED_0F_5C4E_D01E)
      wallClockSleeps = 0
      steps = 0
    }
  }

  private func installHooks() {
    if installed { return }
    installed = true
    hookSlot("swift_task_enqueueGlobal_hook", EnqueueHook.self).pointee = { job, _ in
      Scheduler.shared.enqueue(job)
    }
    hookSlot("swift_task_enqueueGlobalWithDelay_hook", DelayHook.self).pointee = { delay, job, _ in
      Scheduler.shared.enqueueAfterRealDelay(nanoseconds: Int64(clamping: delay), job)
    }
    hookSlot("swift_task_enqueueGlobalWithDeadline_hook", DeadlineHook.self).pointee = {
      seconds, nanoseconds, _, _, clock, job, _ in
      var nowSeconds: Int64 = 0
      var nowNanoseconds: Int64 = 0
      runtimeTime(&nowSeconds, &nowNanoseconds, clock)
      let remaining = (seconds - nowSeconds) * 1_000_000_000 + (nanoseconds - nowNanoseconds)
      Scheduler.shared.enqueueAfterRealDelay(nanoseconds: remaining, job)
    }
  }

  private func enqueue(_ job: UnownedJob) {
    lock.withLock { ready.append(job) }
  }

  private func enqueueAfterRealDelay(nanoseconds: Int64, _ job: UnownedJob) {
    // Whole milliseconds, to the nearest: the sleep's deadline was computed a few microseconds
    // before this hook read the real clock.
    let milliseconds = max(0, (nanoseconds + 500_000) / 1_000_000)
    lock.withLock {
      wallClockSleeps += 1
      timers.push(at: virtualNow + .milliseconds(milliseconds), .job(job))
    }
  }

  /// Runs `action` on the main thread when virtual time reaches `now + delay` (after the jobs
  /// already runnable then). Actions at the same instant run in the order they were scheduled.
  public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) {
    lock.withLock { timers.push(at: virtualNow + max(delay, .zero), .action(action)) }
  }

  /// Suspends the calling task until virtual time reaches `deadline`; throws `CancellationError`
  /// when its task is cancelled first.
  public func sleep(until deadline: Duration) async throws {
    let id = lock.withLock {
      nextID += 1
      return nextID
    }
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let cancelled = lock.withLock {
          if cancelledSleeps.remove(id) != nil { return true }
          sleepers[id] = continuation
          timers.push(at: max(deadline, virtualNow), .wake(id))
          return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
      }
    } onCancel: {
      let continuation = lock.withLock {
        let found = sleepers.removeValue(forKey: id)
        if found == nil { cancelledSleeps.insert(id) }
        return found
      }
      continuation?.resume(throwing: CancellationError())
    }
  }

  /// Suspends the calling task for `duration` of virtual time, whether or not it is cancelled
  /// meanwhile: work that cannot be stopped (a load reading its weights, a token being computed).
  public func sleepIgnoringCancellation(for duration: Duration) async {
    let deadline = now + duration
    let id = lock.withLock {
      nextID += 1
      return nextID
    }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      lock.withLock {
        uncancellable[id] = continuation
        timers.push(at: deadline, .wakeUncancellable(id))
      }
    }
  }

  /// Moves virtual time forward by `duration` at once, as a thread that blocks does: nothing else
  /// runs meanwhile, and timers that fall due run late.
  public func block(for duration: Duration) {
    lock.withLock { virtualNow += max(duration, .zero) }
  }

  /// Takes one step; see `StepKind`. The choice between the main queue and a global job, and
  /// which global job, come from the seeded generator: both are legal on a phone, where the main
  /// thread and the cooperative pool run side by side.
  public func step() -> StepKind {
    steps += 1
    let (mainFirst, pick) = lock.withLock { () -> (Bool, Int) in
      (random.next() & 1 == 0, ready.isEmpty ? 0 : Int(random.next() % UInt64(ready.count)))
    }
    if mainFirst, drainMainOnce() { return .main }
    if let job = lock.withLock({ ready.isEmpty ? nil : ready.remove(at: min(pick, ready.count - 1)) }) {
      worker.run(job)
      return .global
    }
    if !mainFirst, drainMainOnce() { return .main }
    return advanceTime() ? .time : .idle
  }

  /// Whether a global job is waiting to run.
  public var hasReadyJobs: Bool { lock.withLock { !ready.isEmpty } }

  /// Runs one snapshot of the main queue; true when it ran something.
  private func drainMainOnce() -> Bool {
    CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0, true) == CFRunLoopRunResult.handledSource
  }

  /// Called when nothing can run at the current instant, before time moves on: the world looks
  /// at itself at rest (the kernel's view of memory is not the middle of a job).
  public var beforeTimeAdvances: (@Sendable () -> Void)? {
    get { lock.withLock { atRest } }
    set { lock.withLock { atRest = newValue } }
  }
  private var atRest: (@Sendable () -> Void)?

  private func advanceTime() -> Bool {
    beforeTimeAdvances?()
    guard let timer = lock.withLock({ () -> TimerQueue.Entry? in
      guard let first = timers.pop() else { return nil }
      virtualNow = max(virtualNow, first.at)
      return first
    }) else { return false }
    switch timer.fire {
    case .job(let job):
      lock.withLock { ready.append(job) }
    case .wake(let id):
      lock.withLock { sleepers.removeValue(forKey: id) }?.resume()
    case .wakeUncancellable(let id):
      lock.withLock { uncancellable.removeValue(forKey: id) }?.resume()
    case .action(let action):
      action()
    }
    return true
  }

  /// Drops the world's scheduled actions (the run is over); timers of tasks stay, so that the
  /// tasks can end as time goes on.
  public func dropActions() {
    lock.withLock { timers.removeActions() }
  }

  /// How many tasks wait on the virtual clock.
  public var sleeperCount: Int { lock.withLock { sleepers.count + uncancellable.count } }

  /// Whether nothing is left: no job, no timer, no sleeper.
  public var isDrained: Bool {
    lock.withLock { ready.isEmpty && timers.first == nil && sleepers.isEmpty && uncancellable.isEmpty }
  }
}
