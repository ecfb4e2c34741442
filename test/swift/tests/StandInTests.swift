// The harness's own check that the stand-in modules record what is called on them.

import MLX
import XCTest

final class StandInTests: XCTestCase {
  func testBothMemoryAPIGenerationsAreRecorded() {
    CallLog.shared.reset()
    GPU.set(cacheLimit: 20_971_520)
    GPU.set(memoryLimit: 2_621_440_000)
    GPU.clearCache()
    Memory.cacheLimit = 1024
    Memory.memoryLimit = 2048
    Memory.clearCache()
    XCTAssertEqual(Memory.cacheLimit, 1024)
    XCTAssertEqual(
      CallLog.shared.calls,
      [
        "GPU.set(cacheLimit: 20971520)",
        "GPU.set(memoryLimit: 2621440000, relaxed: true)",
        "GPU.clearCache()",
        "Memory.cacheLimit = 1024",
        "Memory.memoryLimit = 2048",
        "Memory.clearCache()",
      ])
  }
}
