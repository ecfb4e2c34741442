// The monitor with the app's evaluator: handlers of evaluators that SwiftUI creates and drops do
// not pile up. (The monitor's own scenarios are in the generated MemoryPressureMonitorTests.)

import XCTest

@testable import VLMEval

// Test methods are async and @MainActor one by one: Linux XCTest cannot call a @MainActor class's
// synchronous tests. The class holds no state, so handing it to the main actor is safe.
final class MonitorBehaviourTests: XCTestCase, @unchecked Sendable {
  @MainActor func testEvaluatorsCreatedAndDroppedLeaveNoHandler() async {
    let before = MemoryPressureMonitor.shared.emergencyHandlerCount
    for _ in 0..<1_000 { _ = VLMEvaluator() }
    XCTAssertEqual(MemoryPressureMonitor.shared.emergencyHandlerCount, before)
  }
}
