// What iOS does on the simulated iPhone: the app's limit, memory warnings, the system's level and
// its Dispatch events, the other apps and jetsam, the app's life cycle. Sources: docs/simulation.md.

import Foundation
import StandInSupport

extension Phone {

  /// Kills the app when it is over its limit (JETSAM_REASON_MEMORY_PERPROCESSLIMIT).
  func checkLimit() {
    guard !isFinished else { return }
    let footprint = self.footprint
    let critical = input.pressure.criticalPercent / 100
    lock.withLock {
      metrics.peakFootprint = max(metrics.peakFootprint, footprint)
      if Double(footprint) >= critical * Double(limit) { history.pressureSinceLastLoad = true }
    }
    if footprint > limit { die(.killedOverLimit(footprint: footprint)) }
  }

  func die(_ how: Death) {
    let first = lock.withLock { () -> Bool in
      guard death == nil, !finished else { return false }
      death = how
      deathAt = Scheduler.shared.now
      return true
    }
    if first { note("THE APP ENDS: \(how.summary)") }
  }

  /// Re-evaluates the rules that depend on memory: the limit, the process-limit warning, the
  /// system's level and background eviction.
  func afterChange() {
    guard !isFinished else { return }
    checkLimit()
    let fraction = fractionOfLimit
    let (warn, rearm) = lock.withLock { () -> (Bool, Bool) in
      if fraction >= 0.8 && limitWarningArmed {
        limitWarningArmed = false
        return (random.chance(0.8), false)
      }
      if fraction < 0.75 && !limitWarningArmed {
        limitWarningArmed = true
        return (false, true)
      }
      return (false, false)
    }
    if rearm { note("below 75% of the limit: the process-limit warning is armed again") }
    if warn {
      let delay = lock.withLock { random.duration(.zero, .milliseconds(300)) }
      note("over 80% of the limit: UIKit will post a memory warning, and the Dispatch source fire with critical")
      Scheduler.shared.schedule(after: delay) { [weak self] in self?.postMemoryWarning() }
      warnDispatchSource(after: delay)
    }
  }

  /// When the phone is at rest at an instant (nothing left to run before time moves on): the
  /// system's level. The kernel's memorystatus thread reads memory when it runs, not in the
  /// middle of an app's work, so what is allocated and freed within one instant is never seen.
  public func atRest() {
    guard !isFinished else { return }
    reclaim()
    updateSystemLevel()
  }

  /// Jetsam takes memory back from the other apps (see `others`).
  func reclaim() {
    let share = availableShare
    guard share < 0.10, others > device.reported / 20 else { return }
    if share < 0.05 {
      reclaimNow()
      return
    }
    let delay = lock.withLock { () -> Duration? in
      guard !reclaimScheduled else { return nil }
      reclaimScheduled = true
      return random.duration(.milliseconds(200), .milliseconds(2000))
    }
    if let delay {
      Scheduler.shared.schedule(after: delay) { [weak self] in self?.reclaimNow() }
    }
  }

  func reclaimNow() {
    let footprint = self.footprint
    let before = others
    lock.withLock {
      reclaimScheduled = false
      let target = Int64(Double(device.reported) * 0.88) - Int64(wired) - Int64(footprint)
      others = UInt64(max(Int64(device.reported / 20), min(Int64(others), target)))
    }
    if others < before { note("jetsam ends other apps: they now hold \(others / mebibyte) MiB") }
  }

  /// The share of the device's memory nobody uses.
  public var availableShare: Double {
    let used = Double(wired + others + footprint)
    return max(0, Double(device.reported) - used) / Double(device.reported)
  }

  func updateSystemLevel() {
    let share = availableShare
    let (old, new) = lock.withLock { () -> (Level, Level) in
      let old = systemLevel
      var new = old
      switch old {
      case .normal: new = share < 0.10 ? .critical : share < 0.15 ? .warning : .normal
      case .warning: new = share < 0.10 ? .critical : share >= 0.18 ? .normal : .warning
      case .critical: new = share >= 0.18 ? .normal : share >= 0.14 ? .warning : .critical
      }
      systemLevel = new
      return (old, new)
    }
    if lifecycle == .background && share < 0.10 && death == nil { die(.evictedInBackground) }
    guard new != old else { return }
    note("the system's level goes from \(old) to \(new) (\(Int(share * 100))% of memory free)")
    // The Dispatch source's handler runs on the main queue 0-100 ms later; events that arrive
    // before it runs are coalesced: the source's data is the OR of their flags (libdispatch
    // merges memory-pressure events with DISPATCH_UNOTE_ACTION_SOURCE_OR_FFLAGS).
    let (schedule, delay, warn) = lock.withLock { () -> (Bool, Duration, Bool) in
      pendingDispatch.insert(new)
      let first = !dispatchScheduled
      dispatchScheduled = true
      return (first, random.duration(.zero, .milliseconds(100)), new > old && random.chance(0.9))
    }
    if schedule {
      Scheduler.shared.schedule(after: delay) { [weak self] in self?.deliverDispatch() }
    }
    // UIKit turns the process's memory-pressure notifications into memory warnings too.
    if warn {
      Scheduler.shared.schedule(after: delay + .milliseconds(1)) { [weak self] in self?.postMemoryWarning() }
    }
  }

  /// The Dispatch source fires with the events since its last run: its data holds the flag of
  /// each. The adapter hands them to the monitor as the generated handler (Darwin only) does
  /// (test/swift/sim/package.ts checks the generated handler still reads the data so).
  func deliverDispatch() {
    let events = lock.withLock { () -> Set<Level> in
      let events = pendingDispatch
      pendingDispatch = []
      dispatchScheduled = false
      return events
    }
    guard death == nil, let level = events.max() else { return }
    lock.withLock { metrics.dispatchEvents += 1 }
    history.systemEvent(at: now, level: level)
    if events.count > 1 {
      note("the Dispatch source fires once for \(events.sorted().map { "\($0)" }.joined(separator: " and ")): its data holds both flags")
    }
    MainActor.assumeIsolated { app?.systemPressure(events) }
  }

  /// The kernel's process-limit warning reaches every memory-pressure source of the app, and a
  /// source that asks for the critical flag but not for the private process-limit ones (the
  /// generated monitor's, `[.normal, .warning, .critical]`) gets the critical flag, with no end to
  /// follow: apple-oss-distributions/xnu bsd/kern/kern_memorystatus_notify.c,
  /// `memorystatus_warn_process` ("Intentionally set either the unambiguous limit warning, the
  /// system-wide critical or the system-wide warning notification bit"). UIKit's memory warning
  /// comes from the same notification.
  func warnDispatchSource(after delay: Duration) {
    let schedule = lock.withLock { () -> Bool in
      pendingDispatch.insert(.critical)
      let first = !dispatchScheduled
      dispatchScheduled = true
      return first
    }
    if schedule {
      Scheduler.shared.schedule(after: delay) { [weak self] in self?.deliverDispatch() }
    }
  }

  /// UIKit posts `didReceiveMemoryWarningNotification`: no level, no end.
  public func postMemoryWarning() {
    guard death == nil else { return }
    lock.withLock { metrics.memoryWarnings += 1 }
    history.memoryWarning(at: now)
    note("UIKit posts a memory warning (footprint \(Int(fractionOfLimit * 100))% of the limit)")
    MainActor.assumeIsolated { app?.memoryWarning() }
  }

  /// Other apps take (positive) or give back (negative) memory.
  public func othersChange(by mebibytes: Int) {
    let footprint = self.footprint
    lock.withLock {
      let room = Int64(device.reported) - Int64(wired) - Int64(footprint) - Int64(device.reported / 50)
      let wanted = Int64(others) + Int64(mebibytes) * Int64(mebibyte)
      let floor = Int64(device.reported / 20)
      others = UInt64(max(floor, mebibytes > 0 ? min(wanted, max(Int64(others), room)) : wanted))
    }
    note("other apps now hold \(others / mebibyte) MiB")
    afterChange()
  }

  /// The app's life-cycle state changes, as UIKit announces it.
  public func setLifecycle(_ state: Lifecycle) {
    guard death == nil, state != lifecycle else { return }
    // UIKit always resigns active before the app enters the background (a shrunk script may
    // have lost the step).
    if state == .background && lifecycle == .active { setLifecycle(.inactive) }
    lock.withLock {
      if state != .active && lifecycle == .active { leftForegroundAt = Scheduler.shared.now }
      lifecycle = state
    }
    LibraryWorld.shared.inBackground = state == .background
    if state == .background { lock.withLock { backgroundEntries += 1 } }
    history.lifecycle(at: now, state)
    note("the app is \(state.rawValue)")
    MainActor.assumeIsolated { app?.lifecycle(state) }
    afterChange()
  }

  /// The user tapped Stop.
  public func userStops() {
    lock.withLock { userStopAt = Scheduler.shared.now }
  }

  /// The main thread (or another) sleeps for `seconds`: virtual time moves on at once.
  public func blockThread(seconds: Double) {
    let duration = Duration.nanoseconds(Int64(seconds * 1e9))
    if Thread.isMainThread {
      lock.withLock { metrics.mainThreadBlockedNanoseconds += Int64(seconds * 1e9) }
    }
    Scheduler.shared.block(for: duration)
  }

  /// The metrics with the scheduler's counts.
  public func finalMetrics() -> Metrics {
    var result = lock.withLock { metrics }
    result.wallClockSleeps = Scheduler.shared.wallClockSleeps
    result.reloadsWithoutPressure = history.reloadsWithoutPressure
    return result
  }
}
