// Behaviour of the upstream VLMEval class (our case with the shape of mlx-swift-examples 44b14cf,
// test/fixtures/shapes/vlmeval-44b14cf/) after `memtier patch`, with the generated extension and
// monitor, against the recording stand-ins of mlx-swift 0.29.1 and mlx-swift-lm 2.29.2. That class
// caches its model by hand and releases nothing after an answer or a cancel; the patched class
// loads through `loadModelOnce` and releases where the tier says. (test/swift/package.test.ts adds
// this file to the build of that class only: its members are the case's, not the fixture's.)

import Foundation
import MLXLMCommon
import StandInSupport
import XCTest

@testable import VLMEval

/// A pacing whose loads wait until the test lets them go.
final class HeldLoads: LibraryPacing {
  private let held = LockedValue(true)

  func load() async {
    while held.current { try? await Task.sleep(for: .milliseconds(2)) }
  }

  func finish() { held.current = false }
}

// Test methods are async and @MainActor one by one: Linux XCTest cannot call a @MainActor class's
// synchronous tests. The class holds no state, so handing it to the main actor is safe.
final class UpstreamEvaluatorBehaviourTests: XCTestCase, @unchecked Sendable {
  @MainActor private var monitor: MemoryPressureMonitor { MemoryPressureMonitor.shared }

  /// A new evaluator on `tier`, once the evaluators of earlier tests are gone (they share the
  /// monitor, the library and the call log), with normal pressure, the app active and an empty log.
  @MainActor private func evaluator(_ tier: DeviceMemoryTier) async throws -> VLMEvaluator {
    let alone = try await eventually { monitor.emergencyHandlerCount == 0 }
    XCTAssertTrue(alone, "an earlier test's evaluator is still registered with the monitor")
    LibraryWorld.shared.reset()
    let evaluator = VLMEvaluator()
    evaluator.memoryConfiguration = .forTier(tier)
    monitor.receiveApplicationState(.active)
    monitor.record(MemoryUsage(footprint: 0, available: 100))
    monitor.receiveSystemPressure(.normal)
    CallLog.shared.reset()
    return evaluator
  }

  override func tearDown() async throws {
    XCTAssertEqual(LibraryWorld.shared.crashes, [], "the real library would have crashed")
    LibraryWorld.shared.reset()
    try await super.tearDown()
  }

  @MainActor private func isLoaded(_ evaluator: VLMEvaluator) -> Bool {
    if case .loaded = evaluator.loadState { return true }
    return false
  }

  private func count(_ prefix: String) -> Int {
    CallLog.shared.calls.filter { $0.hasPrefix(prefix) }.count
  }

  private func cacheClears() -> Int {
    CallLog.shared.calls.filter { $0.hasSuffix("clearCache()") }.count
  }

  /// Waits, without blocking the main actor, until `condition` holds or two seconds pass.
  @MainActor private func eventually(_ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(2)
    while !condition() && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(5))
    }
    return condition()
  }

  @MainActor func testOnATierThatDoesNotKeepTheModelAnAnswerLetsItGoAndClearsTheCache() async throws {
    let evaluator = try await evaluator(.ultraLow)
    evaluator.generate(image: nil, videoURL: nil)
    _ = await evaluator.generationTask?.result
    XCTAssertEqual(count("generate(maxTokens: 300"), 1, "\(CallLog.shared.calls)")
    let released = try await eventually { count("ModelContainer released") == 1 }
    XCTAssertTrue(released, "\(CallLog.shared.calls)")
    XCTAssertFalse(isLoaded(evaluator))
    // Once where clearCache takes MLX's lock; before mlx-swift 0.30.3 the cache is never cleared.
    XCTAssertEqual(cacheClears(), VLMEvaluator.clearCacheTakesLock ? 1 : 0, "\(CallLog.shared.calls)")
  }

  @MainActor func testOnATierThatKeepsTheModelAnAnswerKeepsItAndClearsNothing() async throws {
    let evaluator = try await evaluator(.standard)
    evaluator.generate(image: nil, videoURL: nil)
    _ = await evaluator.generationTask?.result
    evaluator.generate(image: nil, videoURL: nil)
    _ = await evaluator.generationTask?.result
    XCTAssertTrue(isLoaded(evaluator))
    XCTAssertEqual(count("VLMModelFactory.loadContainer"), 1, "no reload between answers")
    XCTAssertEqual(cacheClears(), 0)
  }

  @MainActor func testALaunchPreloadOnATierThatDoesNotKeepTheModelIsNotKept() async throws {
    let evaluator = try await evaluator(.ultraLow)
    _ = try await evaluator.load()
    XCTAssertFalse(isLoaded(evaluator))
    let released = try await eventually { count("ModelContainer released") == 1 }
    XCTAssertTrue(released, "nothing holds a preload the tier does not keep")
  }

  @MainActor func testAPreloadAndAnEarlyTapLoadOneModel() async throws {
    let evaluator = try await evaluator(.standard)
    let pacing = HeldLoads()
    LibraryWorld.shared.pacing = pacing
    let preload = Task { try await evaluator.load() }
    let started = try await eventually { count("VLMModelFactory.loadContainer") == 1 }
    XCTAssertTrue(started)
    evaluator.generate(image: nil, videoURL: nil)
    try await Task.sleep(for: .milliseconds(20))
    pacing.finish()
    _ = try await preload.value
    _ = await evaluator.generationTask?.result
    XCTAssertEqual(count("VLMModelFactory.loadContainer"), 1, "\(CallLog.shared.calls)")
    XCTAssertEqual(count("generate(maxTokens: 800"), 1)
    XCTAssertTrue(isLoaded(evaluator))
  }
}
