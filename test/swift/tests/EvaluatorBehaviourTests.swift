// Behaviour of the patched evaluator with the generated extension and monitor, against the
// recording stand-ins: what each tier sets, keeps, generates and releases.

import CoreImage
import Foundation
import MLX
import MLXLMCommon
import MLXVLM
import StandInSupport
import XCTest

@testable import VLMEval

// Test methods are async and @MainActor one by one: Linux XCTest cannot call a @MainActor class's
// synchronous tests. The class holds no state, so handing it to the main actor is safe.
final class EvaluatorBehaviourTests: XCTestCase, @unchecked Sendable {
  @MainActor private var monitor: MemoryPressureMonitor { MemoryPressureMonitor.shared }

  /// A new evaluator on `tier`, with normal pressure (measured and system) and an empty call log.
  ///
  /// It waits first until the evaluators of earlier tests are gone and the clean-up they handed off
  /// has run: they share the monitor and the call log, so an emergency raised here would reach them
  /// too, and a late cache clear of theirs would land in this test's log (seen under load).
  @MainActor private func evaluator(_ tier: DeviceMemoryTier) async throws -> VLMEvaluator {
    let alone = try await eventually { monitor.emergencyHandlerCount == 0 }
    XCTAssertTrue(alone, "an earlier test's evaluator is still registered with the monitor")
    try await untilQuiet()
    let evaluator = VLMEvaluator()
    evaluator.memoryConfiguration = .forTier(tier)
    monitor.record(MemoryUsage(footprint: 0, available: 100))
    monitor.receiveSystemPressure(.normal)
    CallLog.shared.reset()
    return evaluator
  }

  private var limitCalls: [String] {
    CallLog.shared.calls.filter { $0.hasPrefix("GPU.set") || $0.hasPrefix("Memory.") && !$0.hasSuffix("clearCache()") }
  }

  // The harness defines MLX_0_30 when it builds against the mlx-swift 0.30.6 stand-ins, where the
  // generated code uses `MLX.Memory` (mlxApi: memory); against 0.29.1 it uses `MLX.GPU`.
  #if MLX_0_30
    private func cacheLimitCall(_ bytes: Int) -> String { "Memory.cacheLimit = \(bytes)" }
    private func memoryLimitCall(_ bytes: Int) -> String { "Memory.memoryLimit = \(bytes)" }
  #else
    private func cacheLimitCall(_ bytes: Int) -> String { "GPU.set(cacheLimit: \(bytes))" }
    private func memoryLimitCall(_ bytes: Int) -> String {
      "GPU.set(memoryLimit: \(bytes), relaxed: true)"
    }
  #endif

  /// A picture of `width` x `height` pixels, made as Core Image makes one: a color, cropped.
  private func picture(width: Int, height: Int) -> CIImage {
    CIImage(color: .gray).cropped(to: CGRect(x: 0, y: 0, width: width, height: height))
  }

  private func cacheClears() -> Int {
    CallLog.shared.calls.filter { $0.hasSuffix("clearCache()") }.count
  }

  /// Waits, without blocking the main actor, until `condition` holds or two seconds pass.
  /// Waits until nothing has been recorded for 20 ms, for at most 2 s.
  @MainActor private func untilQuiet() async throws {
    var count = -1
    let deadline = ContinuousClock.now + .seconds(2)
    while CallLog.shared.calls.count != count && ContinuousClock.now < deadline {
      count = CallLog.shared.calls.count
      try await Task.sleep(for: .milliseconds(20))
    }
  }

  @MainActor private func eventually(_ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(2)
    while !condition() && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(5))
    }
    return condition()
  }

  @MainActor private func isLoaded(_ evaluator: VLMEvaluator) -> Bool {
    if case .loaded = evaluator.loadState { return true }
    return false
  }

  @MainActor func testStandardLoadSetsBothLimitsAndKeepsTheModel() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    XCTAssertEqual(limitCalls, [cacheLimitCall(20_971_520), memoryLimitCall(2_621_440_000)])
    XCTAssertTrue(isLoaded(evaluator))
  }

  @MainActor func testUltraLowSetsItsLimitsHoldsTheModelForOneAnswerOnlyAndDropsItAfter() async throws {
    let evaluator = try await evaluator(.ultraLow)
    _ = try await evaluator.load()
    XCTAssertEqual(limitCalls, [cacheLimitCall(3_145_728), memoryLimitCall(1_572_864_000)])
    XCTAssertTrue(isLoaded(evaluator), "held while it answers, so a second generation reuses it")
    await evaluator.generate(prompt: "Describe", image: nil)
    let dropped = try await eventually { !isLoaded(evaluator) }
    XCTAssertTrue(dropped, "ultraLow does not keep the model after an answer")
  }

  @MainActor func testHighLoadSetsOnlyTheCacheLimit() async throws {
    _ = try await evaluator(.high).load()
    XCTAssertEqual(limitCalls, [cacheLimitCall(52_428_800)])
  }

  @MainActor func testCriticalPressureStopsAStandardDeviceFromKeepingTheModel() async throws {
    let evaluator = try await evaluator(.standard)
    monitor.record(MemoryUsage(footprint: 90, available: 10))
    await evaluator.generate(prompt: "Describe", image: nil)
    let dropped = try await eventually { !isLoaded(evaluator) }
    XCTAssertTrue(dropped, "at critical pressure the model goes after the answer")
  }

  @MainActor func testStandardGenerationUsesItsTokensAndDownscalesTheImage() async throws {
    let evaluator = try await evaluator(.standard)
    let image = picture(width: 1000, height: 500)
    await evaluator.generate(prompt: "Describe", image: image)
    XCTAssertEqual(evaluator.output, "stand-in answer")
    XCTAssertTrue(CallLog.shared.calls.contains("prepare(resize: 384x384, images: [384x192])"))
    XCTAssertTrue(CallLog.shared.calls.contains("generate(maxTokens: 800, temperature: 0.7, topP: 0.9)"))
    XCTAssertTrue(isLoaded(evaluator))
    XCTAssertEqual(cacheClears(), 0)
  }

  @MainActor func testUltraLowGenerationUsesItsLimitsAndReleasesTheModelWithAnExtraPass() async throws {
    let evaluator = try await evaluator(.ultraLow)
    let image = picture(width: 100, height: 400)
    await evaluator.generate(prompt: "Describe", image: image)
    XCTAssertTrue(CallLog.shared.calls.contains("prepare(resize: 192x192, images: [48x192])"))
    XCTAssertTrue(CallLog.shared.calls.contains("generate(maxTokens: 300, temperature: 0.7, topP: 0.9)"))
    let unloaded = try await eventually { cacheClears() == 1 }
    XCTAssertTrue(unloaded, "ultraLow does not keep the model: unloaded after the answer, one clear")
  }

  @MainActor func testSmallImagesAreNotUpscaled() async throws {
    let evaluator = try await evaluator(.standard)
    await evaluator.generate(
      prompt: "Describe", image: picture(width: 200, height: 100))
    XCTAssertTrue(CallLog.shared.calls.contains("prepare(resize: 384x384, images: [200x100])"))
  }

  @MainActor func testAnImageAwayFromTheOriginIsMovedThereAndScaled() async throws {
    // The processor crops at (0, 0): an image whose extent starts elsewhere would lose part.
    let evaluator = try await evaluator(.standard)
    let image = CIImage(color: .gray).cropped(to: CGRect(x: 100, y: 50, width: 1000, height: 500))
    await evaluator.generate(prompt: "Describe", image: image)
    XCTAssertTrue(CallLog.shared.calls.contains("prepare(resize: 384x384, images: [384x192])"), "\(CallLog.shared.calls)")
  }

  @MainActor func testAnImageWithoutASizeIsLeftAsItIs() async throws {
    let evaluator = try await evaluator(.standard)
    await evaluator.generate(prompt: "Describe", image: CIImage(color: .gray))
    XCTAssertTrue(CallLog.shared.calls.contains("prepare(resize: 384x384, images: [infinite])"))
  }

  @MainActor func testAnImageGivenByURLIsDownscaledToo() async throws {
    // A PNG header (signature and IHDR) for a 3000 x 1000 image: all Core Image reads to size it.
    var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
    png.append(contentsOf: [0, 0, 0x0B, 0xB8, 0, 0, 0x03, 0xE8, 8, 2, 0, 0, 0])
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("memtier-\(UUID()).png")
    try png.write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    var input = UserInput(chat: [.user("Describe", images: [.url(url)])])
    MemoryConfiguration.forTier(.low).applyImageSize(to: &input)
    guard case .ciImage(let picture) = input.images.first else { return XCTFail("\(input.images)") }
    XCTAssertEqual(picture.extent, CGRect(x: 0, y: 0, width: 256, height: 256.0 / 3))
    XCTAssertEqual(input.processing.resize, CGSize(width: 256, height: 256))
  }

  /// Starts a generation that stays running (held) and waits until it has begun.
  @MainActor private func startHeldGeneration(_ evaluator: VLMEvaluator) async throws {
    CallLog.shared.holdGeneration()
    evaluator.startGeneration(prompt: "Describe", image: nil)
    let running = try await eventually {
      CallLog.shared.calls.contains { $0.hasPrefix("generate(maxTokens") }
    }
    XCTAssertTrue(running)
  }

  private func index(of entry: String) -> Int? {
    CallLog.shared.calls.firstIndex(of: entry)
  }

  private var firstCacheClear: Int? {
    CallLog.shared.calls.firstIndex { $0.hasSuffix("clearCache()") }
  }

  @MainActor func testAnEmergencyDuringAGenerationStopsItBeforeUnloading() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    try await startHeldGeneration(evaluator)
    defer { CallLog.shared.releaseGeneration() }
    monitor.receiveSystemPressure(.critical)
    XCTAssertTrue(isLoaded(evaluator), "the running generation still holds the model")
    let released = try await eventually { !isLoaded(evaluator) && firstCacheClear != nil }
    XCTAssertTrue(released)
    let stopped = try XCTUnwrap(index(of: "generation cancelled"))
    XCTAssertLessThan(stopped, try XCTUnwrap(firstCacheClear), "stopped first, then released")
  }

  @MainActor func testACancelReleasesOnlyAfterTheGenerationHasEnded() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    try await startHeldGeneration(evaluator)
    defer { CallLog.shared.releaseGeneration() }
    monitor.record(MemoryUsage(footprint: 75, available: 25))
    evaluator.cancelGeneration()
    XCTAssertEqual(cacheClears(), 0, "nothing is released while the generation runs")
    let cleared = try await eventually { cacheClears() == 1 }
    XCTAssertTrue(cleared)
    XCTAssertLessThan(try XCTUnwrap(index(of: "generation cancelled")), try XCTUnwrap(firstCacheClear))
  }

  /// Starts another generation at once, lets the held one end, and checks that the model was
  /// loaded only once: the new generation used the model still held.
  @MainActor private func assertTheNextGenerationReusesTheModel(_ evaluator: VLMEvaluator) async throws {
    evaluator.startGeneration(prompt: "Again", image: nil)
    CallLog.shared.releaseGeneration()
    let finished = try await eventually { index(of: "generation finished") != nil }
    XCTAssertTrue(finished)
    let loads = CallLog.shared.calls.filter { $0.hasPrefix("VLMModelFactory.loadContainer") }
    XCTAssertEqual(loads.count, 1, "\(CallLog.shared.calls)")
  }

  @MainActor func testNoSecondLoadWhileACancelledGenerationStillHoldsTheModel() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    try await startHeldGeneration(evaluator)
    monitor.receiveSystemPressure(.critical)
    evaluator.cancelGeneration()
    XCTAssertTrue(isLoaded(evaluator), "nothing is unloaded while the generation holds the model")
    // Generate is enabled again at once; the next generation must use the model already loaded.
    try await assertTheNextGenerationReusesTheModel(evaluator)
  }

  @MainActor func testOnANonCachingTierAGenerationStartedWhileOneEndsReusesTheModel() async throws {
    let evaluator = try await evaluator(.ultraLow)
    try await startHeldGeneration(evaluator)
    monitor.record(MemoryUsage(footprint: 75, available: 25))
    evaluator.cancelGeneration()
    try await assertTheNextGenerationReusesTheModel(evaluator)
  }

  @MainActor func testANonCachingTierDropsTheModelBeforeClearingTheCache() async throws {
    let evaluator = try await evaluator(.ultraLow)
    await evaluator.generate(prompt: "Describe", image: nil)
    let cleared = try await eventually { firstCacheClear != nil }
    XCTAssertTrue(cleared)
    let released = try XCTUnwrap(index(of: "ModelContainer released"), "\(CallLog.shared.calls)")
    XCTAssertLessThan(released, try XCTUnwrap(firstCacheClear), "the last reference goes first")
  }

  @MainActor func testAggressiveCleanupClearsTheCacheAfterEveryAnswerWhileTheModelStays() async throws {
    let evaluator = try await evaluator(.standard)
    evaluator.memoryConfiguration = MemoryConfiguration(
      cacheLimit: 20_971_520, memoryLimit: nil, maxTokens: 100, imageSize: 256,
      keepModelLoaded: true, aggressiveCleanup: true)
    await evaluator.generate(prompt: "One", image: nil)
    await evaluator.generate(prompt: "Two", image: nil)
    let cleared = try await eventually { cacheClears() == 2 }
    XCTAssertTrue(cleared, "one clear per answer")
    XCTAssertTrue(isLoaded(evaluator))
  }

  @MainActor func testTheEvaluatorFollowsTheSharedMonitorUnlessItDeclaresItsOwn() async throws {
    let evaluator = try await evaluator(.standard)
    XCTAssertTrue(evaluator.memoryMonitor === MemoryPressureMonitor.shared)
  }

  @MainActor func testCancelAtNormalPressureReleasesNothing() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    evaluator.cancelGeneration()
    try await Task.sleep(for: .milliseconds(50))
    XCTAssertEqual(cacheClears(), 0)
    XCTAssertTrue(isLoaded(evaluator))
  }

  @MainActor func testCancelAtWarningPressureClearsTheCacheOnly() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    monitor.record(MemoryUsage(footprint: 75, available: 25))
    XCTAssertEqual(monitor.pressure, .warning)
    evaluator.cancelGeneration()
    let cleared = try await eventually { cacheClears() == 1 }
    XCTAssertTrue(cleared)
    XCTAssertTrue(isLoaded(evaluator))
  }

  @MainActor func testCancelAtCriticalPressureClearsAndUnloads() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    monitor.receiveSystemWarning(critical: true)
    evaluator.cancelGeneration()
    XCTAssertFalse(isLoaded(evaluator))
    let cleared = try await eventually { cacheClears() >= 1 }
    XCTAssertTrue(cleared)
  }

  @MainActor func testUnloadReturnsAtOnceAndReleasesMemoryOffTheMainActor() async throws {
    let evaluator = try await evaluator(.ultraLow)
    evaluator.loadState = .loaded(
      try await VLMModelFactory.shared.loadContainer(configuration: evaluator.modelConfiguration))
    CallLog.shared.reset()
    // With clean-up held, an unloadModel() that cleaned up itself would not return before it is
    // released (and would then have recorded the clears); one that hands it off returns at once.
    CallLog.shared.holdCleanup()
    evaluator.unloadModel()
    XCTAssertEqual(cacheClears(), 0, "unloadModel() waited for the clean-up")
    XCTAssertFalse(isLoaded(evaluator))
    CallLog.shared.releaseCleanup()
    let released = try await eventually { cacheClears() == 1 }
    XCTAssertTrue(released, "the clean-up ran afterwards, off the main actor")
  }

  @MainActor func testTheEmergencySignalUnloadsALoadedModel() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    XCTAssertTrue(isLoaded(evaluator))
    monitor.record(MemoryUsage(footprint: 86, available: 14))
    XCTAssertEqual(monitor.pressure, .critical)
    XCTAssertFalse(isLoaded(evaluator))
    // The unload cleans up off the main actor; wait for it, so it cannot land in another test.
    let cleared = try await eventually { cacheClears() == 1 }
    XCTAssertTrue(cleared)
  }

  func testPressureLevelsFollowThePolicyThresholds() {
    XCTAssertEqual(MemoryPressureMonitor.pressure(forFraction: 0.69), .normal)
    XCTAssertEqual(MemoryPressureMonitor.pressure(forFraction: 0.70), .warning)
    XCTAssertEqual(MemoryPressureMonitor.pressure(forFraction: 0.849), .warning)
    XCTAssertEqual(MemoryPressureMonitor.pressure(forFraction: 0.85), .critical)
    XCTAssertEqual(MemoryUsage(footprint: 3, available: 1).fractionOfLimit, 0.75)
  }

  @MainActor func testAnAvailableOfZeroIsNoEvidenceOfPressure() async {
    // What os_proc_available_memory() returns on the Simulator and on a Mac: no per-app limit.
    let noLimit = MemoryUsage(footprint: 3_000_000_000, available: 0)
    XCTAssertNil(noLimit.fractionOfLimit)
    let monitor = MemoryPressureMonitor(measure: { noLimit })
    var emergencies = 0
    monitor.onEmergency { emergencies += 1 }
    monitor.sample()
    XCTAssertEqual(monitor.pressure, .normal)
    XCTAssertEqual(monitor.lastUsage, noLimit)
    XCTAssertEqual(emergencies, 0)
    // The system's own events still count, and such a sample does not undo them.
    monitor.receiveSystemWarning(critical: true)
    monitor.sample()
    XCTAssertEqual(monitor.pressure, .critical)
    XCTAssertEqual(emergencies, 1)
  }

  @MainActor func testAStandardDeviceWithNoKnownLimitKeepsItsModel() async throws {
    let evaluator = try await evaluator(.standard)
    monitor.record(MemoryUsage(footprint: 3_000_000_000, available: 0))
    await evaluator.generate(prompt: "Describe", image: picture(width: 640, height: 480))
    XCTAssertEqual(monitor.pressure, .normal)
    XCTAssertTrue(isLoaded(evaluator), "a Simulator run must not unload the model after every answer")
    XCTAssertEqual(cacheClears(), 0)
  }

  @MainActor func testGenerateParametersComeFromTheTier() async throws {
    let parameters = try await evaluator(.low).generateParameters
    XCTAssertEqual(parameters.maxTokens, 500)
    XCTAssertEqual(parameters.temperature, 0.7)
    XCTAssertEqual(parameters.topP, 0.9)
  }
}
