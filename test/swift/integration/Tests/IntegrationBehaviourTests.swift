// memtier's harness tests (our own code): MemoryPolicy's rules and pressure stream, and each
// class-free example under test/swift/integration/ acting on them, with the generated monitor driven
// through its test entry points.

import CoreImage
import Foundation
import MLXLMCommon
import MLXVLM
import StandInSupport
import XCTest

@testable import VLMEval

@MainActor
final class IntegrationBehaviourTests: XCTestCase {
  /// Loads the stand-in SmolVLM, as an app's loader would load its model.
  private nonisolated static func loadModel() async throws -> ModelContainer {
    try await VLMModelFactory.shared.loadContainer(configuration: VLMRegistry.smolvlm)
  }

  /// A monitor that measures nothing by itself: the tests give it their usage with `record(_:)`.
  private func quietMonitor() -> MemoryPressureMonitor {
    MemoryPressureMonitor(measure: { nil })
  }

  /// 90% of the app's limit in use: critical under the shipped policy (from 85%).
  private let critical = MemoryUsage(footprint: 900, available: 100)

  /// Waits until `condition` holds, failing after about two seconds.
  private func eventually(
    _ what: String, _ condition: () async -> Bool, file: StaticString = #filePath,
    line: UInt = #line
  ) async throws {
    for _ in 0..<400 {
      if await condition() { return }
      try await Task.sleep(for: .milliseconds(5))
    }
    XCTFail("never: \(what)", file: file, line: line)
  }

  private var clearedCache: Bool {
    CallLog.shared.calls.contains { $0.hasSuffix("clearCache()") }
  }

  override func setUp() async throws {
    CallLog.shared.reset()
  }

  func testCriticalPressureUnloadsTheActorsModels() async throws {
    let monitor = quietMonitor()
    let runtime = ModelRuntime(policy: MemoryPolicy(tier: .standard)) { _ in
      try await Self.loadModel()
    }
    _ = try await runtime.answer("What is in the picture?", image: nil, model: "smolvlm")
    let kept = await runtime.loadedModels
    XCTAssertEqual(kept, ["smolvlm"], "the standard tier keeps its model")
    let following = Task { await runtime.follow(MemoryPolicy.pressureUpdates(from: monitor)) }
    defer { following.cancel() }
    monitor.record(critical)
    try await eventually("the runtime unloads its models") { await runtime.loadedModels.isEmpty }
    try await eventually("the model is released") {
      CallLog.shared.calls.contains("ModelContainer released")
    }
  }

  func testTheServiceUnloadsAfterEachAnswerWhereTheTierDoesNotKeepTheModel() async throws {
    let keeping = ModelService(policy: MemoryPolicy(tier: .standard)) { try await Self.loadModel() }
    _ = try await keeping.answer("What is in the picture?", image: nil)
    XCTAssertTrue(keeping.isModelLoaded, "the standard tier keeps its model")
    XCTAssertFalse(clearedCache, "and clears nothing after an answer")

    let unloading = ModelService(policy: MemoryPolicy(tier: .low)) { try await Self.loadModel() }
    _ = try await unloading.answer("What is in the picture?", image: nil)
    XCTAssertFalse(unloading.isModelLoaded, "the low tier does not keep its model")
    XCTAssertEqual(
      clearedCache, MemoryPolicy.clearCacheTakesLock,
      "and clears MLX's cache after the answer where the clear takes a lock")
  }

  func testCriticalPressureUnloadsTheViewModelsModel() async throws {
    let monitor = quietMonitor()
    let viewModel = ChatViewModel(policy: MemoryPolicy(tier: .standard), monitor: monitor) {
      try await Self.loadModel()
    }
    viewModel.ask("What is in the picture?", image: nil)
    try await eventually("the answer arrives") { !viewModel.output.isEmpty }
    XCTAssertTrue(viewModel.isModelLoaded, "the standard tier keeps its model")
    let following = Task { await viewModel.followMemoryPressure() }
    defer { following.cancel() }
    monitor.record(critical)
    try await eventually("the view model unloads its model") { !viewModel.isModelLoaded }
  }

  func testTheRulesFollowTheTiersConfiguration() async {
    XCTAssertEqual(MemoryPolicy.current.tier, DeviceMemoryTier.current)
    for tier in DeviceMemoryTier.allCases {
      let policy = MemoryPolicy(tier: tier)
      let configuration = MemoryConfiguration.forTier(tier)
      XCTAssertEqual(policy.memoryConfiguration, configuration)
      XCTAssertEqual(policy.imageSize, configuration.imageSize)
      XCTAssertEqual(policy.generateParameters.maxTokens, configuration.maxTokens)
      XCTAssertEqual(policy.keepsModelLoaded(under: .warning), configuration.keepModelLoaded)
      XCTAssertFalse(policy.keepsModelLoaded(under: .critical))
      let kept: MemoryRelease = configuration.aggressiveCleanup ? .cache : .nothing
      XCTAssertEqual(
        policy.releaseAfterAnswer(under: .normal), configuration.keepModelLoaded ? kept : .model)
      XCTAssertEqual(policy.releaseAfterAnswer(under: .critical), .model)
      XCTAssertEqual(
        MemoryPressure.allCases.map(policy.releaseAfterCancel(under:)), [.nothing, .cache, .model])
      XCTAssertEqual(
        MemoryPressure.allCases.map(policy.releaseOnPressure), [.nothing, .nothing, .model])
      XCTAssertEqual(
        policy.releaseOnLeavingForeground, configuration.keepModelLoaded ? .nothing : .model)
    }
    let releases: [MemoryRelease] = [.nothing, .cache, .model]
    XCTAssertEqual(releases.map(\.unloadsModel), [false, false, true])
    XCTAssertEqual(releases.map(\.clearsCache), [false, true, true])
  }

  func testThePressureStreamSendsChangesAndEveryEmergencyUntilItsConsumerStops() async throws {
    let clock = SteppedClock()
    let monitor = MemoryPressureMonitor(measure: { nil }, clock: clock)
    monitor.record(MemoryUsage(footprint: 750, available: 250))
    let received = Received()
    let consumer = Task {
      for await level in MemoryPolicy.pressureUpdates(from: monitor, clock: clock) {
        received.levels.append(level)
      }
    }
    try await eventually("the level now") { received.levels == [.warning] }
    XCTAssertEqual(monitor.emergencyHandlerCount, 1)
    monitor.record(critical)
    try await eventually("critical at once") { received.levels == [.warning, .critical] }
    monitor.record(critical)
    try await eventually("critical again") { received.levels.count == 3 }
    monitor.record(MemoryUsage(footprint: 100, available: 900))
    try await eventually("the stream and the monitor wait on the clock") { clock.sleepers == 2 }
    XCTAssertEqual(received.levels, [.warning, .critical, .critical], "a fall waits for a reading")
    clock.advance(by: MemoryPressureMonitor.pollingInterval)
    try await eventually("the fall, read") { received.levels.last == .normal }
    XCTAssertEqual(received.levels, [.warning, .critical, .critical, .normal])
    consumer.cancel()
    try await eventually("the registration ends") { monitor.emergencyHandlerCount == 0 }
  }
}

/// The levels a stream's consumer received.
@MainActor
private final class Received {
  var levels: [MemoryPressure] = []
}

/// A clock that moves only when a test advances it.
private final class SteppedClock: Clock, @unchecked Sendable {
  struct Instant: InstantProtocol {
    let offset: Duration
    func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
    func duration(to other: Instant) -> Duration { other.offset - offset }
    static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
  }

  private let lock = NSLock()
  private var current = Instant(offset: .zero)
  private var lastID = 0
  private var waiting: [Int: (deadline: Instant, wake: CheckedContinuation<Void, any Error>)] = [:]

  var now: Instant { lock.withLock { current } }
  var minimumResolution: Duration { .zero }
  /// How many waits are pending.
  var sleepers: Int { lock.withLock { waiting.count } }

  func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
    let id = lock.withLock {
      lastID += 1
      return lastID
    }
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (wake: CheckedContinuation<Void, any Error>) in
        lock.withLock {
          if Task.isCancelled {
            wake.resume(throwing: CancellationError())
          } else if deadline <= current {
            wake.resume()
          } else {
            waiting[id] = (deadline, wake)
          }
        }
      }
    } onCancel: {
      lock.withLock { waiting.removeValue(forKey: id) }?.wake.resume(throwing: CancellationError())
    }
  }

  /// Moves the clock on and wakes the waits that are due.
  func advance(by duration: Duration) {
    let due = lock.withLock {
      current = current.advanced(by: duration)
      let due = waiting.filter { $0.value.deadline <= current }
      for id in due.keys { waiting[id] = nil }
      return due.values.map(\.wake)
    }
    for wake in due { wake.resume() }
  }
}
