// Stand-in for mlx-swift 0.29.1, Source/MLX/GPU.swift, for memtier's tests: the memory settings of
// `public enum GPU` that the generated code and the app evaluators use. 0.29.1 has no
// `MLX.Memory`: that namespace arrives in 0.30.1. Calls are recorded, nothing is allocated.

import StandInSupport

/// `MLX.GPU`: GPU memory settings and statistics.
public enum GPU {
  private static let cache = LockedValue(0)
  private static let memory = LockedValue(0)

  /// `GPU.cacheLimit` (get only in 0.29.1).
  public static var cacheLimit: Int { cache.current }

  /// `GPU.memoryLimit` (get only in 0.29.1).
  public static var memoryLimit: Int { memory.current }

  /// `GPU.set(cacheLimit:)`.
  public static func set(cacheLimit: Int) {
    cache.current = cacheLimit
    CallLog.shared.record("GPU.set(cacheLimit: \(cacheLimit))")
  }

  /// `GPU.set(memoryLimit:relaxed:)`.
  public static func set(memoryLimit: Int, relaxed: Bool = true) {
    memory.current = memoryLimit
    CallLog.shared.record("GPU.set(memoryLimit: \(memoryLimit), relaxed: \(relaxed))")
  }

  /// `GPU.clearCache()`: in 0.29.1 a bare `mlx_clear_cache()` that takes no lock, so a clear while
  /// the library evaluates is recorded as a crash (LibraryWorld; fixed by 5bd59d0 in 0.30.3).
  public static func clearCache() {
    CallLog.shared.waitWhileCleanupHeld()
    LibraryWorld.shared.clearsCache(takesLock: false)
    CallLog.shared.record("GPU.clearCache()")
  }
}
