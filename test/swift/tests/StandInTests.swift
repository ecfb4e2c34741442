// The harness's own check that the stand-in modules record what is called on them, in the MLX
// memory API of the era they stand in for, and that the stand-in library is as strict as the real
// one: evaluating while it loads, generates and winds down; a clear without a lock during that, or
// GPU work in the background, recorded as a crash; its pacing awaited.

import CoreImage
import MLX
import MLXLMCommon
import MLXVLM
import StandInSupport
import XCTest

/// A pacing that records each hook as it is awaited.
private final class RecordingPacing: LibraryPacing {
  let events = LockedValue<[String]>([])

  func load() async { events.current.append("load") }
  func token(_ index: Int) async { events.current.append("token \(index)") }
  func windDown() async { events.current.append("wind-down") }
}

final class StandInTests: XCTestCase, @unchecked Sendable {
  override func setUp() {
    super.setUp()
    LibraryWorld.shared.reset()
    CallLog.shared.reset()
  }

  override func tearDown() {
    LibraryWorld.shared.reset()
    CallLog.shared.releaseGeneration()
    super.tearDown()
  }

  #if MLX_0_30
    func testTheMemoryAPIIsRecorded() {
      Memory.cacheLimit = 1024
      Memory.memoryLimit = 2048
      Memory.clearCache()
      XCTAssertEqual(Memory.cacheLimit, 1024)
      XCTAssertEqual(
        CallLog.shared.calls,
        ["Memory.cacheLimit = 1024", "Memory.memoryLimit = 2048", "Memory.clearCache()"])
    }

    func testALockedClearWhileTheLibraryEvaluatesIsFine() {
      LibraryWorld.shared.beginEvaluating("generation")
      Memory.clearCache()
      LibraryWorld.shared.endEvaluating()
      XCTAssertEqual(LibraryWorld.shared.crashes, [], "0.30.3 and later take evalLock (5bd59d0)")
    }
  #else
    func testTheGPUAPIIsRecorded() {
      GPU.set(cacheLimit: 20_971_520)
      GPU.set(memoryLimit: 2_621_440_000)
      GPU.clearCache()
      XCTAssertEqual(GPU.cacheLimit, 20_971_520)
      XCTAssertEqual(
        CallLog.shared.calls,
        [
          "GPU.set(cacheLimit: 20971520)",
          "GPU.set(memoryLimit: 2621440000, relaxed: true)",
          "GPU.clearCache()",
        ])
    }

    func testAnUnlockedClearWhileTheLibraryEvaluatesIsACrash() {
      GPU.clearCache()
      XCTAssertEqual(LibraryWorld.shared.crashes, [], "idle: fine")
      LibraryWorld.shared.beginEvaluating("generation")
      GPU.clearCache()
      LibraryWorld.shared.endEvaluating()
      XCTAssertEqual(LibraryWorld.shared.crashes, ["clearCache while evaluating"])
      XCTAssertTrue(CallLog.shared.calls.contains("CRASH: clearCache while evaluating"))
    }
  #endif

  private func container() async throws -> ModelContainer {
    try await VLMModelFactory.shared.loadContainer(configuration: VLMRegistry.smolvlm)
  }

  /// Runs a streaming generation in `container` and reads `chunks` chunks of it (all: nil).
  private func generate(in container: ModelContainer, reading chunks: Int?) async throws -> Int {
    try await container.perform { context in
      var read = 0
      for await item in try MLXLMCommon.generate(
        input: LMInput(tokens: MLXArray()), parameters: GenerateParameters(), context: context)
      {
        if item.chunk != nil { read += 1 }
        if let chunks, read >= chunks { break }
      }
      return read
    }
  }

  func testTheLibraryEvaluatesWhileItLoadsAndThePacingDecidesWhen() async throws {
    let pacing = RecordingPacing()
    LibraryWorld.shared.pacing = pacing
    _ = try await container()
    XCTAssertEqual(pacing.events.current, ["load"])
    XCTAssertFalse(LibraryWorld.shared.isEvaluating)
  }

  func testAGenerationReadToItsEndHasStoppedEvaluatingWhenItsStreamEnds() async throws {
    let pacing = RecordingPacing()
    let model = try await container()
    LibraryWorld.shared.pacing = pacing
    let chunks = try await generate(in: model, reading: nil)
    XCTAssertEqual(chunks, 1)
    XCTAssertEqual(pacing.events.current, ["token 0", "token 1", "token 2"])
    XCTAssertFalse(LibraryWorld.shared.isEvaluating, "the producer synchronized before finishing")
  }

  func testAStoppedGenerationEvaluatesUntilItsProducerHasWoundDown() async throws {
    let windDown = LockedValue(true)
    struct Held: LibraryPacing {
      let held: LockedValue<Bool>
      func windDown() async {
        while held.current { try? await Task.sleep(for: .milliseconds(2)) }
      }
    }
    let model = try await container()
    LibraryWorld.shared.pacing = Held(held: windDown)
    CallLog.shared.holdGeneration()
    _ = try await generate(in: model, reading: 1)
    XCTAssertTrue(CallLog.shared.calls.contains("generation cancelled"), "the consumer stopped")
    try await Task.sleep(for: .milliseconds(50))
    XCTAssertTrue(LibraryWorld.shared.isEvaluating, "its producer has not noticed or wound down")
    windDown.current = false
    let deadline = ContinuousClock.now + .seconds(2)
    while LibraryWorld.shared.isEvaluating && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(5))
    }
    XCTAssertFalse(LibraryWorld.shared.isEvaluating)
    XCTAssertFalse(CallLog.shared.calls.contains("generation finished"))
  }

  func testGPUWorkInTheBackgroundIsACrash() async throws {
    LibraryWorld.shared.inBackground = true
    _ = try await container()
    XCTAssertEqual(LibraryWorld.shared.crashes, ["GPU work in the background (load)"])
  }

  func testALanczosScaleFiltersAndRoundsItsExtentOutToWholePixels() {
    let image = CIImage(color: .gray).cropped(to: CGRect(x: 0, y: 0, width: 335, height: 100))
    let scaled = image.applyingFilter(
      "CILanczosScaleTransform", parameters: [kCIInputScaleKey: 1.0 / 3, kCIInputAspectRatioKey: 1])
    XCTAssertEqual(scaled.extent, CGRect(x: 0, y: 0, width: 112, height: 34))
    XCTAssertFalse(scaled.scaledWithoutFiltering)
    let affine = image.transformed(by: CGAffineTransform(scaleX: 0.5, y: 0.5))
    XCTAssertTrue(affine.scaledWithoutFiltering, "a plain affine scale samples without filtering")
    XCTAssertFalse(image.transformed(by: CGAffineTransform(translationX: 5, y: 0)).scaledWithoutFiltering)
  }
}
