// The harness's own check that the stand-in modules record what is called on them, in the MLX
// memory API of the era they stand in for.

import MLX
import StandInSupport
import XCTest

final class StandInTests: XCTestCase {
  #if MLX_0_30
    func testTheMemoryAPIIsRecorded() {
      CallLog.shared.reset()
      Memory.cacheLimit = 1024
      Memory.memoryLimit = 2048
      Memory.clearCache()
      XCTAssertEqual(Memory.cacheLimit, 1024)
      XCTAssertEqual(
        CallLog.shared.calls,
        ["Memory.cacheLimit = 1024", "Memory.memoryLimit = 2048", "Memory.clearCache()"])
    }
  #else
    func testTheGPUAPIIsRecorded() {
      CallLog.shared.reset()
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
  #endif
}
