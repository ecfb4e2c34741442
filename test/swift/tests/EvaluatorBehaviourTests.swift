// Behaviour of the patched evaluator with the generated extension and monitor, against the
// recording stand-ins: what each tier sets, keeps, generates and releases; when the GPU cache may
// be cleared (the stand-in library records a crash where the real one would have had one); the
// emergency for as long as memory is critical; one load at a time; the app's life cycle.

import CoreImage
import Foundation
import MLX
import MLXLMCommon
import MLXVLM
import StandInSupport
import XCTest

@testable import VLMEval

/// A load that fails, as a missing network or a bad download makes one fail.
private struct LoadFailure: Error {}

/// A pacing whose steps wait until the test lets them go: a load until `finishLoads()`, a stopped
/// generation's wind-down until `finishWindDowns()`.
final class GatedPacing: LibraryPacing {
  private let loadsHeld = LockedValue(true)
  private let windDownsHeld = LockedValue(true)

  func load() async {
    while loadsHeld.current { try? await Task.sleep(for: .milliseconds(2)) }
  }

  func windDown() async {
    while windDownsHeld.current { try? await Task.sleep(for: .milliseconds(2)) }
  }

  func finishLoads() { loadsHeld.current = false }
  func finishWindDowns() { windDownsHeld.current = false }
}

// Test methods are async and @MainActor one by one: Linux XCTest cannot call a @MainActor class's
// synchronous tests. The class holds no state, so handing it to the main actor is safe.
final class EvaluatorBehaviourTests: XCTestCase, @unchecked Sendable {
  @MainActor private var monitor: MemoryPressureMonitor { MemoryPressureMonitor.shared }

  /// Whether the generated code was made for a clearCache that takes MLX's lock (mlx-swift 0.30.3
  /// and later); the 0.29.1 stand-ins (unlocked) must never get that code.
  private let locked = VLMEvaluator.clearCacheTakesLock

  /// A new evaluator on `tier`, with normal pressure (measured and system), the app active, the
  /// library idle at its default pacing, and an empty call log.
  ///
  /// It waits first until the evaluators of earlier tests are gone and the work they handed off
  /// has run: they share the monitor, the library and the call log, so an emergency raised here
  /// would reach them too, and a late cache clear of theirs would land in this test's log.
  @MainActor private func evaluator(_ tier: DeviceMemoryTier) async throws -> VLMEvaluator {
    let alone = try await eventually { monitor.emergencyHandlerCount == 0 }
    XCTAssertTrue(alone, "an earlier test's evaluator is still registered with the monitor")
    LibraryWorld.shared.reset()
    let idle = try await eventually { !LibraryWorld.shared.isEvaluating }
    XCTAssertTrue(idle, "an earlier test's library work is still running")
    try await untilQuiet()
    let evaluator = VLMEvaluator()
    evaluator.memoryConfiguration = .forTier(tier)
    monitor.receiveApplicationState(.active)
    monitor.record(MemoryUsage(footprint: 0, available: 100))
    monitor.receiveSystemPressure(.normal)
    CallLog.shared.reset()
    return evaluator
  }

  /// Checks that the library would not have crashed, and leaves the shared monitor as the next
  /// test (of any class) expects it: normal pressure, the app active.
  override func tearDown() async throws {
    XCTAssertEqual(LibraryWorld.shared.crashes, [], "the real library would have crashed")
    CallLog.shared.releaseGeneration()
    await MainActor.run {
      monitor.receiveApplicationState(.active)
      monitor.receiveSystemPressure(.normal)
      monitor.record(MemoryUsage(footprint: 0, available: 100))
    }
    LibraryWorld.shared.reset()
    try await super.tearDown()
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

    func testMlxSwift0291NeverGetsCodeThatClearsTheCacheAtAnyTime() {
      XCTAssertFalse(locked, "0.29.1's clearCache takes no lock")
      // No caller can know that MLX is idle (a `break` out of a stream leaves the producer
      // encoding), so the clear itself does nothing before 0.30.3.
      CallLog.shared.reset()
      MemoryPolicy.clearCache()
      VLMEvaluator.releaseMemory()
      XCTAssertEqual(cacheClears(), 0, "\(CallLog.shared.calls)")
    }
  #endif

  /// A picture of `width` x `height` pixels, made as Core Image makes one: a color, cropped.
  private func picture(width: Int, height: Int) -> CIImage {
    CIImage(color: .gray).cropped(to: CGRect(x: 0, y: 0, width: width, height: height))
  }

  private func cacheClears() -> Int {
    CallLog.shared.calls.filter { $0.hasSuffix("clearCache()") }.count
  }

  private func loads() -> Int {
    CallLog.shared.calls.filter { $0.hasPrefix("VLMModelFactory.loadContainer") }.count
  }

  /// Waits until nothing has been recorded for 20 ms, for at most 2 s.
  @MainActor private func untilQuiet() async throws {
    var count = -1
    let deadline = ContinuousClock.now + .seconds(2)
    while CallLog.shared.calls.count != count && ContinuousClock.now < deadline {
      count = CallLog.shared.calls.count
      try await Task.sleep(for: .milliseconds(20))
    }
  }

  /// Waits, without blocking the main actor, until `condition` holds or two seconds pass.
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

  @MainActor func testUltraLowSetsItsLimitsAndKeepsNoModelAfterAnAnswer() async throws {
    let evaluator = try await evaluator(.ultraLow)
    _ = try await evaluator.load()
    XCTAssertEqual(limitCalls, [cacheLimitCall(3_145_728), memoryLimitCall(1_572_864_000)])
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

  @MainActor func testStandardGenerationUsesItsTokensAndDownscalesTheImageWithAFilter() async throws {
    let evaluator = try await evaluator(.standard)
    let image = picture(width: 1000, height: 500)
    await evaluator.generate(prompt: "Describe", image: image)
    XCTAssertEqual(evaluator.output, "stand-in answer")
    // "384x192 unfiltered" would be a plain affine scale, which aliases.
    XCTAssertTrue(CallLog.shared.calls.contains("prepare(resize: 384x384, images: [384x192])"), "\(CallLog.shared.calls)")
    XCTAssertTrue(CallLog.shared.calls.contains("generate(maxTokens: 800, temperature: 0.7, topP: 0.9)"))
    XCTAssertTrue(isLoaded(evaluator))
    XCTAssertEqual(cacheClears(), 0)
  }

  @MainActor func testUltraLowGenerationUsesItsLimitsAndClearsTheCacheOnceAfterTheAnswerWhereTheClearTakesALock() async throws {
    let evaluator = try await evaluator(.ultraLow)
    let image = picture(width: 100, height: 400)
    await evaluator.generate(prompt: "Describe", image: image)
    XCTAssertTrue(CallLog.shared.calls.contains("prepare(resize: 192x192, images: [48x192])"), "\(CallLog.shared.calls)")
    XCTAssertTrue(CallLog.shared.calls.contains("generate(maxTokens: 300, temperature: 0.7, topP: 0.9)"))
    let unloaded = try await eventually {
      index(of: "ModelContainer released") != nil && cacheClears() == (locked ? 1 : 0)
    }
    XCTAssertTrue(unloaded, "ultraLow does not keep the model: unloaded after the answer, one locked clear")
    try await untilQuiet()
    XCTAssertEqual(cacheClears(), locked ? 1 : 0, "\(CallLog.shared.calls)")
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
    // 1000 * 256 / 3000 = 85.3: the whole pixels inside the filtered image.
    XCTAssertEqual(picture.extent, CGRect(x: 0, y: 0, width: 256, height: 85))
    XCTAssertFalse(picture.scaledWithoutFiltering)
    XCTAssertEqual(input.processing.resize, CGSize(width: 256, height: 256))
  }

  func testDownscalingFiltersAPhotoAndKeepsWholePixelsWithinTheBound() {
    // A 4032 x 3024 photo to 384 px: a plain affine scale keeps about one pixel in ten and aliases.
    let photo = picture(width: 4032, height: 3024)
    let scaled = VLMEvaluator.downscaled(photo, longestSide: 384)
    XCTAssertFalse(scaled.scaledWithoutFiltering, "scaled without filtering: it aliases")
    XCTAssertEqual(scaled.extent, CGRect(x: 0, y: 0, width: 384, height: 288))
    // Core Image's Lanczos extent is rounded out (and the scale read as a Float): 1000 * 0.384
    // comes out 385 px wide before the crop.
    let odd = VLMEvaluator.downscaled(picture(width: 1000, height: 333), longestSide: 384)
    XCTAssertEqual(odd.extent, CGRect(x: 0, y: 0, width: 384, height: 127))
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
    monitor.record(MemoryUsage(footprint: 90, available: 10))
    XCTAssertTrue(isLoaded(evaluator), "the running generation still holds the model")
    let released = try await eventually { !isLoaded(evaluator) && (!locked || firstCacheClear != nil) }
    XCTAssertTrue(released)
    let stopped = try XCTUnwrap(index(of: "generation cancelled"))
    if locked {
      XCTAssertLessThan(stopped, try XCTUnwrap(firstCacheClear), "stopped first, then released")
    } else {
      XCTAssertNil(firstCacheClear, "an unlocked clear may overlap the stopped generation's end")
    }
  }

  /// Loads, starts a held generation, and installs a pacing that holds a stopped generation's
  /// wind-down: the library then goes on evaluating after the app's own task has ended.
  @MainActor private func generationThatWindsDownSlowly(_ evaluator: VLMEvaluator) async throws -> GatedPacing {
    let pacing = GatedPacing()
    pacing.finishLoads()
    LibraryWorld.shared.pacing = pacing
    _ = try await evaluator.load()
    try await startHeldGeneration(evaluator)
    return pacing
  }

  @MainActor func testAnEmergencyNeverClearsTheCacheWhileTheStoppedGenerationWindsDown() async throws {
    let evaluator = try await evaluator(.standard)
    let pacing = try await generationThatWindsDownSlowly(evaluator)
    monitor.record(MemoryUsage(footprint: 90, available: 10))
    let unloaded = try await eventually { !isLoaded(evaluator) }
    XCTAssertTrue(unloaded)
    // The app's task has ended; the library's producer has not.
    try await untilQuiet()
    XCTAssertTrue(LibraryWorld.shared.isEvaluating, "the producer is still winding down")
    XCTAssertEqual(LibraryWorld.shared.crashes, [])
    XCTAssertEqual(cacheClears(), locked ? 1 : 0, "a locked clear may overlap; an unlocked one never")
    pacing.finishWindDowns()
    let ended = try await eventually { !LibraryWorld.shared.isEvaluating }
    XCTAssertTrue(ended)
  }

  @MainActor func testACancelNeverClearsTheCacheWhileTheStoppedGenerationWindsDown() async throws {
    let evaluator = try await evaluator(.standard)
    let pacing = try await generationThatWindsDownSlowly(evaluator)
    monitor.record(MemoryUsage(footprint: 75, available: 25))
    evaluator.cancelGeneration()
    try await untilQuiet()
    XCTAssertTrue(LibraryWorld.shared.isEvaluating, "the producer is still winding down")
    XCTAssertEqual(LibraryWorld.shared.crashes, [])
    XCTAssertEqual(cacheClears(), locked ? 1 : 0)
    pacing.finishWindDowns()
    let ended = try await eventually { !LibraryWorld.shared.isEvaluating }
    XCTAssertTrue(ended)
    XCTAssertTrue(isLoaded(evaluator), "warning pressure keeps the model")
  }

  /// An app that `break`s out of its stream ends its task uncancelled while mlx-swift-lm's producer
  /// still encodes (2.29.2 Evaluate.swift: `synchronize()` runs only before `finish()`); the
  /// extension cannot tell it from an answer read to its end. So before 0.30.3 no answer clears
  /// the cache, that one nor the next; with a locked clear, each does.
  @MainActor func testAnAnswerThatBreaksOutOfItsStreamAndTheNextClearOnlyALockedCache() async throws {
    let evaluator = try await evaluator(.standard)
    evaluator.memoryConfiguration = MemoryConfiguration(
      cacheLimit: 20_971_520, memoryLimit: nil, maxTokens: 100, imageSize: 256,
      keepModelLoaded: true, aggressiveCleanup: true)
    let pacing = GatedPacing()
    pacing.finishLoads()
    LibraryWorld.shared.pacing = pacing
    let container = try await evaluator.load()
    let parameters = evaluator.generateParameters
    // Held after its first chunk, so that the break comes before the producer's next token.
    CallLog.shared.holdGeneration()
    let answer = evaluator.startGenerationTask { [evaluator] in
      try await container.perform { context in
        let input = try await context.processor.prepare(input: UserInput(prompt: "Describe"))
        for await item in try MLXLMCommon.generate(
          input: input, parameters: parameters, context: context)
        {
          if item.chunk != nil { break }
        }
      }
      evaluator.releaseModelAfterGeneration()
    }
    evaluator.generationTask = answer
    _ = try await answer.value
    XCTAssertFalse(answer.isCancelled, "a break cancels nothing the extension can see")
    try await untilQuiet()
    XCTAssertTrue(LibraryWorld.shared.isEvaluating, "the producer is still winding down")
    XCTAssertEqual(LibraryWorld.shared.crashes, [])
    XCTAssertEqual(cacheClears(), locked ? 1 : 0, "\(CallLog.shared.calls)")
    pacing.finishWindDowns()
    let ended = try await eventually { !LibraryWorld.shared.isEvaluating }
    XCTAssertTrue(ended)
    CallLog.shared.releaseGeneration()
    await evaluator.generate(prompt: "Again", image: nil)
    XCTAssertTrue(CallLog.shared.calls.contains("generation finished"))
    try await untilQuiet()
    XCTAssertEqual(cacheClears(), locked ? 2 : 0, "\(CallLog.shared.calls)")
  }

  @MainActor func testACancelReleasesOnlyAfterTheGenerationHasEnded() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    try await startHeldGeneration(evaluator)
    monitor.record(MemoryUsage(footprint: 75, available: 25))
    evaluator.cancelGeneration()
    XCTAssertEqual(cacheClears(), 0, "nothing is released while the generation runs")
    let cleared = try await eventually { cacheClears() == 1 }
    XCTAssertEqual(cleared, locked, "warning pressure clears the cache, where the clear takes a lock")
    if locked {
      XCTAssertLessThan(try XCTUnwrap(index(of: "generation cancelled")), try XCTUnwrap(firstCacheClear))
    }
  }

  /// Starts another generation at once, lets the held one end, and checks that the model was
  /// loaded only once: the new generation used the model still held.
  @MainActor private func assertTheNextGenerationReusesTheModel(_ evaluator: VLMEvaluator) async throws {
    evaluator.startGeneration(prompt: "Again", image: nil)
    CallLog.shared.releaseGeneration()
    let finished = try await eventually { index(of: "generation finished") != nil }
    XCTAssertTrue(finished)
    XCTAssertEqual(loads(), 1, "\(CallLog.shared.calls)")
  }

  @MainActor func testNoSecondLoadWhileACancelledGenerationStillHoldsTheModel() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    try await startHeldGeneration(evaluator)
    monitor.record(MemoryUsage(footprint: 75, available: 25))
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

  @MainActor func testANonCachingTierDropsTheModelAndClearsTheCacheAfterTheAnswer() async throws {
    let evaluator = try await evaluator(.ultraLow)
    await evaluator.generate(prompt: "Describe", image: nil)
    let done = try await eventually {
      (!locked || firstCacheClear != nil) && index(of: "ModelContainer released") != nil
    }
    XCTAssertTrue(done, "\(CallLog.shared.calls)")
    let released = try XCTUnwrap(index(of: "ModelContainer released"))
    if locked {
      XCTAssertLessThan(released, try XCTUnwrap(firstCacheClear), "the last reference goes first")
    } else {
      // Never cleared: the model goes back to MLX's cache, up to cacheLimit.
      XCTAssertNil(firstCacheClear, "\(CallLog.shared.calls)")
    }
  }

  @MainActor func testAggressiveCleanupClearsTheCacheAfterEveryAnswerWhileTheModelStays() async throws {
    let evaluator = try await evaluator(.standard)
    evaluator.memoryConfiguration = MemoryConfiguration(
      cacheLimit: 20_971_520, memoryLimit: nil, maxTokens: 100, imageSize: 256,
      keepModelLoaded: true, aggressiveCleanup: true)
    await evaluator.generate(prompt: "One", image: nil)
    await evaluator.generate(prompt: "Two", image: nil)
    let cleared = try await eventually { cacheClears() == (locked ? 2 : 0) }
    XCTAssertTrue(cleared, "one clear per answer, where the clear takes a lock")
    try await untilQuiet()
    XCTAssertEqual(cacheClears(), locked ? 2 : 0, "before 0.30.3, none")
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

  @MainActor func testCancelAtWarningPressureClearsTheCacheOnlyWhereTheClearTakesALock() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    monitor.record(MemoryUsage(footprint: 75, available: 25))
    XCTAssertEqual(monitor.pressure, .warning)
    evaluator.cancelGeneration()
    try await untilQuiet()
    XCTAssertEqual(cacheClears(), locked ? 1 : 0)
    XCTAssertTrue(isLoaded(evaluator))
  }

  /// The second part: apps often set `generationTask` to nil after cancelling it. That starts no
  /// generation, and the release that waits for the stopped one still runs.
  @MainActor func testCancelAtCriticalPressureUnloadsAlsoWhenTheAppForgetsTheStoppedTask() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    monitor.record(MemoryUsage(footprint: 90, available: 10))
    evaluator.cancelGeneration()
    XCTAssertFalse(isLoaded(evaluator))
    try await untilQuiet()
    XCTAssertEqual(cacheClears(), locked ? 1 : 0)

    monitor.record(MemoryUsage(footprint: 0, available: 100))
    _ = try await evaluator.load()
    try await startHeldGeneration(evaluator)
    monitor.record(MemoryUsage(footprint: 90, available: 10))
    evaluator.cancelGeneration()
    evaluator.generationTask = nil
    // Memory recovers before the stopped generation ends, so no later emergency unloads the model:
    // the releases decided at critical must.
    monitor.record(MemoryUsage(footprint: 0, available: 100))
    XCTAssertTrue(isLoaded(evaluator), "the stopped generation still holds the model")
    let unloaded = try await eventually { !isLoaded(evaluator) }
    XCTAssertTrue(unloaded, "the release waiting for the stopped generation was dropped")
    try await untilQuiet()
    XCTAssertEqual(cacheClears(), locked ? 2 : 0)
  }

  @MainActor func testUnloadReturnsAtOnceAndClearsOffTheMainActorWhereTheClearTakesALock() async throws {
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
    try await untilQuiet()
    XCTAssertEqual(cacheClears(), locked ? 1 : 0, "off the main actor, and only with a locked clear")
  }

  @MainActor func testTheEmergencySignalUnloadsALoadedModel() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    XCTAssertTrue(isLoaded(evaluator))
    monitor.record(MemoryUsage(footprint: 86, available: 14))
    XCTAssertEqual(monitor.pressure, .critical)
    XCTAssertFalse(isLoaded(evaluator))
    // The unload cleans up off the main actor; wait for it, so it cannot land in another test.
    try await untilQuiet()
    XCTAssertEqual(cacheClears(), locked ? 1 : 0)
  }

  // The emergency, for as long as memory is critical.

  @MainActor func testWhileCriticalAModelLoadedAfterTheEmergencyIsReleasedAtTheNextSample() async throws {
    let evaluator = try await evaluator(.standard)
    monitor.record(MemoryUsage(footprint: 90, available: 10))
    // The emergency found nothing to release; then a load (as the app's own load() does) keeps one.
    evaluator.loadState = .loaded(
      try await VLMModelFactory.shared.loadContainer(configuration: evaluator.modelConfiguration))
    monitor.record(MemoryUsage(footprint: 88, available: 12))
    XCTAssertFalse(isLoaded(evaluator), "still critical: the emergency acts again and releases it")
  }

  @MainActor func testAModelLoadedWhileCriticalIsNotKeptAndGoesWithItsCaller() async throws {
    let evaluator = try await evaluator(.standard)
    let pacing = GatedPacing()
    LibraryWorld.shared.pacing = pacing
    let preload = Task { _ = try await evaluator.load() }
    let loading = try await eventually { loads() == 1 }
    XCTAssertTrue(loading)
    monitor.record(MemoryUsage(footprint: 90, available: 10))
    pacing.finishLoads()
    try await preload.value
    XCTAssertFalse(isLoaded(evaluator), "loaded while critical: not kept")
    let released = try await eventually { index(of: "ModelContainer released") != nil }
    XCTAssertTrue(released, "its caller let it go, and nothing else holds it")
  }

  @MainActor func testWhileCriticalAGenerationStartedLaterIsStoppedToo() async throws {
    let evaluator = try await evaluator(.standard)
    monitor.record(MemoryUsage(footprint: 90, available: 10))
    // The emergency found nothing to stop; then Generate is tapped. (Held: it ends only if stopped.)
    CallLog.shared.holdGeneration()
    evaluator.startGeneration(prompt: "Describe", image: nil)
    // Stopped as the library generated, or before the model was asked for anything: the app's
    // load() goes through loadModelOnce, where the emergency runs first and then refuses the
    // stopped answer.
    let stopped = try await eventually {
      index(of: "generation cancelled") != nil
        || (evaluator.output.hasPrefix("Could not answer")
          && !CallLog.shared.calls.contains { $0.hasPrefix("generate(") })
    }
    CallLog.shared.releaseGeneration()
    _ = await evaluator.generationTask?.result
    XCTAssertTrue(stopped, "\(CallLog.shared.calls)")
    XCTAssertNil(index(of: "generation finished"), "a generation ran to its end at critical pressure")
    let released = try await eventually { !isLoaded(evaluator) }
    XCTAssertTrue(released)
  }

  // Every generation, not only the latest: a stopped answer runs on until the library notices,
  // and the app's own busy flag (cleared as the stopped one ends) lets a tap start another.

  /// Taps Ask, and Stop while the model loads (a load cannot be stopped, so the stopped
  /// generation stays until it completes); taps Ask again at once (the button shows Ask as soon as
  /// Stop is tapped); lets the load complete, and taps Ask once more if the button shows it: what
  /// a user does while a stopped answer winds down. Generations are held once they generate.
  @MainActor private func stopAndAskAgainWhileTheStoppedOneWindsDown(
    _ evaluator: VLMEvaluator
  ) async throws {
    let pacing = GatedPacing()
    pacing.finishWindDowns()
    LibraryWorld.shared.pacing = pacing
    CallLog.shared.holdGeneration()
    evaluator.startGeneration(prompt: "Describe", image: nil)
    let loading = try await eventually { loads() == 1 }
    XCTAssertTrue(loading)
    evaluator.cancelGeneration()
    evaluator.startGeneration(prompt: "Again", image: nil)
    try await untilQuiet()
    pacing.finishLoads()
    let generating = try await eventually {
      CallLog.shared.calls.contains { $0.hasPrefix("generate(maxTokens") }
    }
    XCTAssertTrue(generating)
    try await untilQuiet()
    if !evaluator.running { evaluator.startGeneration(prompt: "Once more", image: nil) }
    try await untilQuiet()
  }

  /// Checks the call log: a generation never started while another was running.
  private func assertOneGenerationAtATime() {
    var running = 0
    for call in CallLog.shared.calls {
      if call.hasPrefix("generate(maxTokens") { running += 1 }
      if call == "generation cancelled" || call == "generation finished" { running -= 1 }
      XCTAssertLessThanOrEqual(running, 1, "two generations at once: \(CallLog.shared.calls)")
      if running > 1 { return }
    }
  }

  @MainActor func testAnEmergencyStopsEveryGenerationNotOnlyTheLatest() async throws {
    let evaluator = try await evaluator(.standard)
    try await stopAndAskAgainWhileTheStoppedOneWindsDown(evaluator)
    monitor.record(MemoryUsage(footprint: 90, available: 10))
    let stopped = try await eventually { !LibraryWorld.shared.isEvaluating }
    CallLog.shared.releaseGeneration()
    try await untilQuiet()
    XCTAssertTrue(stopped, "a generation ran on after the emergency: \(CallLog.shared.calls)")
    XCTAssertNil(index(of: "generation finished"), "\(CallLog.shared.calls)")
    assertOneGenerationAtATime()
  }

  @MainActor func testLeavingTheForegroundStopsEveryGenerationNotOnlyTheLatest() async throws {
    let evaluator = try await evaluator(.standard)
    try await stopAndAskAgainWhileTheStoppedOneWindsDown(evaluator)
    monitor.receiveApplicationState(.inactive)
    let stopped = try await eventually { !LibraryWorld.shared.isEvaluating }
    monitor.receiveApplicationState(.background)
    LibraryWorld.shared.inBackground = true
    CallLog.shared.releaseGeneration()
    try await untilQuiet()
    XCTAssertTrue(stopped, "a generation ran on after the app resigned active: \(CallLog.shared.calls)")
    XCTAssertEqual(LibraryWorld.shared.crashes, [], "no GPU work in the background")
    assertOneGenerationAtATime()
  }

  // One load at a time, and no second copy.

  @MainActor func testTwoLoadsAtOnceShareOneLoad() async throws {
    let evaluator = try await evaluator(.standard)
    let pacing = GatedPacing()
    LibraryWorld.shared.pacing = pacing
    let preload = Task { try await evaluator.load() }
    let tap = Task { try await evaluator.load() }
    let loading = try await eventually { loads() == 1 }
    XCTAssertTrue(loading)
    try await untilQuiet()
    pacing.finishLoads()
    let (first, second) = (try await preload.value, try await tap.value)
    XCTAssertTrue(first === second, "one model")
    XCTAssertEqual(loads(), 1, "\(CallLog.shared.calls)")
    XCTAssertTrue(isLoaded(evaluator))
  }

  @MainActor func testAPreloadOnUltraLowLeavesNoModelOnceItsCallerDropsIt() async throws {
    let evaluator = try await evaluator(.ultraLow)
    _ = try await evaluator.load()
    XCTAssertFalse(isLoaded(evaluator), "a tier that does not cache the model does not keep a preload")
    let released = try await eventually { index(of: "ModelContainer released") != nil }
    XCTAssertTrue(released, "\(CallLog.shared.calls)")
  }

  @MainActor func testALoadWhileAnAnswerHoldsTheModelReturnsThatCopy() async throws {
    let evaluator = try await evaluator(.ultraLow)
    let held = try await evaluator.load()
    let again = try await evaluator.load()
    XCTAssertTrue(held === again, "the model an answer holds, not a second copy")
    XCTAssertEqual(loads(), 1)
  }

  @MainActor func testACallerCancelledWhileTheModelLoadedGetsNoModel() async throws {
    let evaluator = try await evaluator(.standard)
    let pacing = GatedPacing()
    LibraryWorld.shared.pacing = pacing
    let caller = Task { try await evaluator.load() }
    let loading = try await eventually { loads() == 1 }
    XCTAssertTrue(loading)
    caller.cancel()
    pacing.finishLoads()
    let result = await caller.result
    XCTAssertThrowsError(try result.get()) { XCTAssertTrue($0 is CancellationError, "\($0)") }
    XCTAssertTrue(isLoaded(evaluator), "the load itself went on, and the standard tier keeps it")
  }

  // The app's life cycle.

  @MainActor func testResigningActiveStopsTheGenerationBeforeTheBackground() async throws {
    let evaluator = try await evaluator(.standard)
    _ = try await evaluator.load()
    try await startHeldGeneration(evaluator)
    monitor.receiveApplicationState(.inactive)
    let stopped = try await eventually { index(of: "generation cancelled") != nil }
    XCTAssertTrue(stopped)
    let ended = try await eventually { !LibraryWorld.shared.isEvaluating }
    XCTAssertTrue(ended, "the producer wound down while the app was still inactive")
    monitor.receiveApplicationState(.background)
    LibraryWorld.shared.inBackground = true
    CallLog.shared.releaseGeneration()
    try await untilQuiet()
    XCTAssertEqual(LibraryWorld.shared.crashes, [], "no GPU work in the background")
    XCTAssertTrue(isLoaded(evaluator), "a tier that keeps the model keeps it")
  }

  @MainActor func testOnANonCachingTierTheBackgroundReleasesTheModelOnceTheGenerationEnds() async throws {
    let evaluator = try await evaluator(.ultraLow)
    _ = try await evaluator.load()
    try await startHeldGeneration(evaluator)
    monitor.receiveApplicationState(.inactive)
    monitor.receiveApplicationState(.background)
    LibraryWorld.shared.inBackground = true
    let released = try await eventually { !isLoaded(evaluator) && index(of: "ModelContainer released") != nil }
    XCTAssertTrue(released, "\(CallLog.shared.calls)")
    XCTAssertEqual(cacheClears(), 0, "no cache clear in the background")
  }

  @MainActor func testNothingLoadsInTheBackgroundAndLoadsWorkWhenActiveAgain() async throws {
    let evaluator = try await evaluator(.standard)
    monitor.receiveApplicationState(.background)
    LibraryWorld.shared.inBackground = true
    do {
      _ = try await evaluator.load()
      XCTFail("loaded in the background")
    } catch {
      XCTAssertEqual(error as? MemoryPolicyError, .appInBackground)
    }
    XCTAssertThrowsError(try evaluator.requireForeground())
    XCTAssertEqual(loads(), 0)
    LibraryWorld.shared.inBackground = false
    monitor.receiveApplicationState(.active)
    XCTAssertNoThrow(try evaluator.requireForeground())
    _ = try await evaluator.load()
    XCTAssertEqual(loads(), 1)
  }

  @MainActor func testNoCacheIsClearedInTheBackground() async throws {
    let evaluator = try await evaluator(.ultraLow)
    _ = try await evaluator.load()
    monitor.receiveApplicationState(.background)
    evaluator.releaseModelAfterGeneration()
    try await untilQuiet()
    XCTAssertFalse(isLoaded(evaluator))
    XCTAssertEqual(cacheClears(), 0)
  }

  // The stress test's hook: one model in the process.

  @MainActor func testReleasingTheOtherEvaluatorsUnloadsThemAndKeepsThisOne() async throws {
    let host = try await evaluator(.standard)
    _ = try await host.load()
    let stress = VLMEvaluator()
    stress.memoryConfiguration = .forTier(.standard)
    _ = try await stress.load()
    VLMEvaluator.releaseOtherEvaluators(keeping: stress)
    XCTAssertFalse(isLoaded(host))
    XCTAssertTrue(isLoaded(stress))
  }

  @MainActor func testReleasingTheOtherEvaluatorsDropsTheModelOfALoadTheyHaveInFlight() async throws {
    let host = try await evaluator(.standard)
    let pacing = GatedPacing()
    LibraryWorld.shared.pacing = pacing
    let preload = Task { _ = try await host.load() }
    let loading = try await eventually { loads() == 1 }
    XCTAssertTrue(loading)
    let stress = VLMEvaluator()
    VLMEvaluator.releaseOtherEvaluators(keeping: stress)
    pacing.finishLoads()
    try await preload.value
    XCTAssertFalse(isLoaded(host), "the host's launch preload is not kept")
    let released = try await eventually { index(of: "ModelContainer released") != nil }
    XCTAssertTrue(released)
    // A discarded load that fails leaves nothing to discard: the host's next load is kept.
    let entered = LockedValue(false)
    let gate = GatedPacing()
    let failing = Task {
      try await host.loadModelOnce {
        entered.current = true
        await gate.load()
        throw LoadFailure()
      }
    }
    let inFlight = try await eventually { entered.current }
    XCTAssertTrue(inFlight)
    VLMEvaluator.releaseOtherEvaluators(keeping: stress)
    gate.finishLoads()
    let failed = await failing.result
    XCTAssertThrowsError(try failed.get())
    _ = try await host.load()
    XCTAssertTrue(isLoaded(host), "a later load of the host is kept")
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
    // The system's own events still count, and such a sample does not undo them. With no known
    // limit, nothing measures the app's own usage: a critical Dispatch event is a memory warning.
    monitor.receiveSystemPressure(.warning)
    monitor.sample()
    XCTAssertEqual(monitor.pressure, .warning)
    monitor.receiveSystemPressure(.critical)
    monitor.sample()
    XCTAssertEqual(monitor.pressure, MemoryPressureMonitor.memoryWarningLevel)
    XCTAssertEqual(emergencies, 0)
  }

  @MainActor func testAStandardDeviceWithNoKnownLimitKeepsItsModel() async throws {
    let evaluator = try await evaluator(.standard)
    monitor.record(MemoryUsage(footprint: 3_000_000_000, available: 0))
    await evaluator.generate(prompt: "Describe", image: picture(width: 640, height: 480))
    XCTAssertEqual(monitor.pressure, .normal)
    XCTAssertTrue(isLoaded(evaluator), "a Simulator run must not unload the model after every answer")
    XCTAssertEqual(cacheClears(), 0)
  }

  @MainActor func testAfterAMemoryWarningAndRecoveryAStandardDeviceKeepsItsModel() async throws {
    let evaluator = try await evaluator(.standard)
    monitor.receiveSystemWarning()
    XCTAssertEqual(monitor.pressure, .warning, "a warning is not critical unless the policy says so")
    await evaluator.generate(prompt: "One", image: nil)
    XCTAssertTrue(isLoaded(evaluator), "a warning alone does not drop the model")
    monitor.record(MemoryUsage(footprint: 50, available: 50))
    XCTAssertEqual(monitor.pressure, .normal, "usage below recovery ends the warning")
    await evaluator.generate(prompt: "Two", image: nil)
    XCTAssertTrue(isLoaded(evaluator))
    XCTAssertEqual(loads(), 1, "no reload between answers")
  }

  @MainActor func testGenerateParametersComeFromTheTier() async throws {
    let parameters = try await evaluator(.low).generateParameters
    XCTAssertEqual(parameters.maxTokens, 500)
    XCTAssertEqual(parameters.temperature, 0.7)
    XCTAssertEqual(parameters.topP, 0.9)
  }
}
