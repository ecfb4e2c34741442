// Stand-in for mlx-swift 0.29.1, Source/MLX/GPU.swift, for memtier's tests: the memory settings of
// `public enum GPU` that the generated code and the app evaluators use, and its statistics. 0.29.1 has no
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

  /// `GPU.Snapshot`: the three statistics at one moment.
  public struct Snapshot: CustomStringConvertible, Codable, Sendable {
    public var activeMemory: Int
    public var cacheMemory: Int
    public var peakMemory: Int

    public var description: String {
      "active \(activeMemory), cache \(cacheMemory), peak \(peakMemory)"
    }
  }

  /// `GPU.activeMemory`: bytes in live arrays (the stand-in allocates none).
  public static var activeMemory: Int { 0 }

  /// `GPU.cacheMemory`: bytes kept for reuse (none here).
  public static var cacheMemory: Int { 0 }

  /// `GPU.peakMemory`: the most active memory since the start or the last reset (none here).
  public static var peakMemory: Int { 0 }

  /// `GPU.snapshot()`.
  public static func snapshot() -> Snapshot {
    Snapshot(activeMemory: activeMemory, cacheMemory: cacheMemory, peakMemory: peakMemory)
  }

  /// `GPU.resetPeakMemory()`.
  public static func resetPeakMemory() {
    CallLog.shared.record("GPU.resetPeakMemory()")
  }

  /// `GPU.clearCache()`: in 0.29.1 a bare `mlx_clear_cache()` that takes no lock, so a clear while
  /// the library evaluates is recorded as a crash (LibraryWorld; fixed by 5bd59d0 in 0.30.3).
  public static func clearCache() {
    CallLog.shared.waitWhileCleanupHeld()
    LibraryWorld.shared.clearsCache(takesLock: false)
    CallLog.shared.record("GPU.clearCache()")
  }
}
