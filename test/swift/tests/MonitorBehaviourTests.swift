// The monitor with the app's evaluator, and what only the harness can drive: handlers of
// evaluators that SwiftUI creates and drops do not pile up; a UIKit memory warning is an impulse
// that ends; a Dispatch warning keeps its own end, and what else the Dispatch source's data can
// hold (coalesced events, a critical flag) is an impulse that ends too; every wait runs on the
// injected clock. (The monitor's own scenarios are in the generated MemoryPressureMonitorTests.)

import Foundation
import XCTest

@testable import VLMEval

// Test methods are async and @MainActor one by one: Linux XCTest cannot call a @MainActor class's
// synchronous tests. The class holds no state, so handing it to the main actor is safe.
final class MonitorBehaviourTests: XCTestCase, @unchecked Sendable {
  /// A measurement with `percent` of a 100-byte limit in use.
  private func usage(_ percent: UInt64) -> MemoryUsage {
    MemoryUsage(footprint: percent, available: 100 - percent)
  }

  /// Lets other main-actor work run until `condition` holds (at most 1,000 turns).
  @MainActor private func settle(until condition: () -> Bool) async {
    for _ in 0..<1_000 where !condition() { await Task.yield() }
  }

  @MainActor func testEvaluatorsCreatedAndDroppedLeaveNoHandler() async {
    let before = MemoryPressureMonitor.shared.emergencyHandlerCount
    for _ in 0..<1_000 { _ = VLMEvaluator() }
    XCTAssertEqual(MemoryPressureMonitor.shared.emergencyHandlerCount, before)
  }

  @MainActor func testAMemoryWarningIsAWarningAndCancelsNothing() async {
    let monitor = MemoryPressureMonitor(measure: { nil })
    var emergencies = 0
    monitor.onEmergency { emergencies += 1 }
    monitor.record(usage(50))
    monitor.receiveSystemWarning()
    XCTAssertEqual(MemoryPressureMonitor.memoryWarningLevel, .warning, "pressure.memoryWarning's default")
    XCTAssertEqual(monitor.pressure, .warning)
    XCTAssertEqual(emergencies, 0, "a warning is not an emergency unless usage says so")
    monitor.record(usage(86))
    XCTAssertEqual(emergencies, 1, "measured usage still makes it critical")
  }

  @MainActor func testAMemoryWarningEndsWhenASampleShowsRecoveryAndNotBefore() async {
    let monitor = MemoryPressureMonitor(measure: { nil })
    monitor.record(usage(72))
    monitor.receiveSystemWarning()
    monitor.record(usage(68))
    XCTAssertEqual(monitor.warningPressure, .warning, "68% is not below recovery (65%)")
    monitor.record(usage(60))
    XCTAssertEqual(monitor.warningPressure, .normal)
    XCTAssertEqual(monitor.pressure, .normal, "UIKit sends no end: the sample ends it")
  }

  @MainActor func testADispatchWarningKeepsItsOwnEnd() async {
    let monitor = MemoryPressureMonitor(measure: { nil })
    monitor.receiveSystemPressure(.warning)
    monitor.record(usage(10))
    XCTAssertEqual(monitor.pressure, .warning, "a sample does not end a Dispatch warning")
    monitor.receiveSystemPressure(.normal)
    XCTAssertEqual(monitor.pressure, .normal)
  }

  // What the Dispatch source's data can hold: several events ORed together (libdispatch merges
  // the flags of the events that arrive before the handler runs), and a critical flag that xnu
  // also sends when the app nears its own limit, with no end to follow.

  @MainActor func testACoalescedDispatchEventEndsWhenASampleShowsRecovery() async {
    let monitor = MemoryPressureMonitor(measure: { nil })
    monitor.record(usage(10))
    // The system's level rose and fell before the handler ran: no later event comes.
    monitor.receiveSystemPressure(coalescing: [.normal, .warning])
    XCTAssertEqual(monitor.pressure, .warning, "the warning counts, as an impulse")
    monitor.record(usage(10))
    XCTAssertEqual(monitor.pressure, .normal, "a sample below recovery ends it")
  }

  @MainActor func testACriticalDispatchEventCountsAsAMemoryWarningUnlessUsageSaysCritical() async {
    let monitor = MemoryPressureMonitor(measure: { nil })
    var emergencies = 0
    monitor.onEmergency { emergencies += 1 }
    monitor.record(usage(50))
    monitor.receiveSystemPressure(coalescing: [.critical])
    XCTAssertEqual(monitor.pressure, MemoryPressureMonitor.memoryWarningLevel)
    XCTAssertEqual(emergencies, 0, "the system's critical, or the app near its own limit: the answer goes on")
    monitor.record(usage(86))
    XCTAssertEqual(emergencies, 1, "the app's own usage at critical is an emergency")
    monitor.record(usage(50))
    XCTAssertEqual(monitor.pressure, .normal, "no event ends it when it was the app's own limit: a sample does")
  }

  @MainActor func testWithNoKnownLimitACoalescedDispatchEventEndsAfterTheQuietPeriod() async {
    let clock = ManualClock()
    let monitor = MemoryPressureMonitor(measure: { nil }, clock: clock)
    monitor.record(MemoryUsage(footprint: 3_000, available: 0))
    monitor.receiveSystemPressure(coalescing: [.critical, .normal])
    XCTAssertEqual(monitor.pressure, MemoryPressureMonitor.memoryWarningLevel)
    await settle { clock.sleeperCount == 1 }
    clock.advance(by: MemoryPressureMonitor.memoryWarningQuietPeriod)
    await settle { monitor.pressure == .normal }
    XCTAssertEqual(monitor.pressure, .normal)
  }

  @MainActor func testWithNoKnownLimitAMemoryWarningEndsAfterTheQuietPeriodOnTheInjectedClock() async {
    let clock = ManualClock()
    let monitor = MemoryPressureMonitor(measure: { nil }, clock: clock)
    monitor.record(MemoryUsage(footprint: 3_000, available: 0))
    monitor.receiveSystemWarning()
    await settle { clock.sleeperCount == 1 }
    clock.advance(by: MemoryPressureMonitor.memoryWarningQuietPeriod - .seconds(1))
    await settle { monitor.pressure == .normal }
    XCTAssertEqual(monitor.pressure, .warning)
    clock.advance(by: .seconds(1))
    await settle { monitor.pressure == .normal }
    XCTAssertEqual(monitor.pressure, .normal, "no further warning for the quiet period")
  }

  @MainActor func testWithAKnownLimitOnlyASampleEndsAMemoryWarning() async {
    let clock = ManualClock()
    let monitor = MemoryPressureMonitor(measure: { nil }, clock: clock)
    monitor.record(usage(80))
    monitor.receiveSystemWarning()
    await settle { clock.sleeperCount == 1 }
    clock.advance(by: MemoryPressureMonitor.memoryWarningQuietPeriod * 2)
    await settle { monitor.warningPressure == .normal }
    XCTAssertEqual(monitor.warningPressure, .warning, "usage is known and has not recovered")
  }

  /// Also: a stopped monitor changes no level by itself; a memory warning's quiet period waits for
  /// the next start.
  @MainActor func testThePollingSamplesOnTheInjectedClockUntilTheMonitorStops() async {
    let clock = ManualClock()
    let samples = LockedCounter()
    let monitor = MemoryPressureMonitor(
      measure: {
        samples.increment()
        return nil
      }, clock: clock)
    monitor.startMonitoring()
    XCTAssertEqual(samples.value, 1, "one sample at the start")
    await settle { clock.sleeperCount == 1 }
    clock.advance(by: MemoryPressureMonitor.pollingInterval)
    await settle { samples.value == 2 }
    XCTAssertEqual(samples.value, 2)
    clock.advance(by: MemoryPressureMonitor.pollingInterval / 2)
    await settle { samples.value == 3 }
    XCTAssertEqual(samples.value, 2, "nothing before the interval has passed")
    monitor.receiveSystemWarning()
    await settle { clock.sleeperCount == 2 }
    XCTAssertEqual(clock.sleeperCount, 2, "the polling and the warning's quiet period")
    monitor.stopMonitoring()
    await settle { clock.sleeperCount == 0 }
    XCTAssertEqual(clock.sleeperCount, 0, "a stopped monitor waits for nothing")
    clock.advance(by: MemoryPressureMonitor.memoryWarningQuietPeriod)
    await settle { monitor.pressure == .normal }
    XCTAssertEqual(monitor.pressure, .warning, "no sample and no quiet period while stopped")
    XCTAssertEqual(samples.value, 2)
    monitor.startMonitoring()
    await settle { clock.sleeperCount == 2 }
    clock.advance(by: MemoryPressureMonitor.memoryWarningQuietPeriod)
    await settle { monitor.pressure == .normal }
    XCTAssertEqual(monitor.pressure, .normal, "the quiet period runs again from the start")
    monitor.stopMonitoring()
  }
}

/// A count that the monitor's `measure` closure (Sendable) can raise.
private final class LockedCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0

  var value: Int { lock.withLock { count } }

  func increment() { lock.withLock { count += 1 } }
}
