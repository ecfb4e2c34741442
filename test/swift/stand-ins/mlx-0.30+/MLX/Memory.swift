// Stand-in for mlx-swift 0.30.6 and 0.31.4, for memtier's tests (Source/MLX/Memory.swift and
// GPU+Metal.swift are the same in both): `public enum Memory` (new in 0.30.1), and `public enum GPU`,
// whose memory calls are kept only as deprecated forwards to `Memory`. The `@available` attributes
// are the releases' own, so using `GPU` here warns as it does in a real build.

import Foundation
import StandInSupport

/// `MLX.Memory`: memory settings and statistics.
public enum Memory {
  private static let cache = LockedValue(0)
  private static let memory = LockedValue(0)

  /// `Memory.cacheLimit` (get and set).
  public static var cacheLimit: Int {
    get { cache.current }
    set {
      cache.current = newValue
      CallLog.shared.record("Memory.cacheLimit = \(newValue)")
    }
  }

  /// `Memory.memoryLimit` (get and set).
  public static var memoryLimit: Int {
    get { memory.current }
    set {
      memory.current = newValue
      CallLog.shared.record("Memory.memoryLimit = \(newValue)")
    }
  }

  /// `Memory.Snapshot`: the three statistics at one moment.
  public struct Snapshot: CustomStringConvertible, Codable, Sendable {
    public var activeMemory: Int
    public var cacheMemory: Int
    public var peakMemory: Int

    public var description: String {
      "active \(activeMemory), cache \(cacheMemory), peak \(peakMemory)"
    }
  }

  /// `Memory.activeMemory`: bytes in live arrays (the stand-in allocates none).
  public static var activeMemory: Int { 0 }

  /// `Memory.cacheMemory`: bytes kept for reuse (none here).
  public static var cacheMemory: Int { 0 }

  /// `Memory.peakMemory`: the most active memory since the start or the last reset (none here).
  /// Setting it, to any value, resets the peak.
  public static var peakMemory: Int {
    get { 0 }
    set { CallLog.shared.record("Memory.peakMemory = \(newValue)") }
  }

  /// `Memory.snapshot()`.
  public static func snapshot() -> Snapshot {
    Snapshot(activeMemory: activeMemory, cacheMemory: cacheMemory, peakMemory: peakMemory)
  }

  /// `Memory.clearCache()`: from 0.30.3 (commit 5bd59d0, #331) it takes `evalLock`, so it never
  /// overlaps the library's own encoding (LibraryWorld records no crash).
  public static func clearCache() {
    CallLog.shared.waitWhileCleanupHeld()
    LibraryWorld.shared.clearsCache(takesLock: true)
    CallLog.shared.record("Memory.clearCache()")
  }
}

/// `MLX.GPU` in 0.30.6 and 0.31.4: the memory calls remain, deprecated.
public enum GPU {
  @available(*, deprecated, renamed: "Memory.cacheLimit")
  public static var cacheLimit: Int { Memory.cacheLimit }

  @available(*, deprecated, message: "use Memory.cacheLimit property")
  public static func set(cacheLimit: Int) { Memory.cacheLimit = cacheLimit }

  @available(*, deprecated, renamed: "Memory.memoryLimit")
  public static var memoryLimit: Int { Memory.memoryLimit }

  @available(*, deprecated, message: "use Memory.memoryLimit property")
  public static func set(memoryLimit: Int, relaxed: Bool = true) { Memory.memoryLimit = memoryLimit }

  @available(*, deprecated, renamed: "Memory.clearCache")
  public static func clearCache() { Memory.clearCache() }
  public typealias Snapshot = Memory.Snapshot

  @available(*, deprecated, renamed: "Memory.activeMemory")
  public static var activeMemory: Int { Memory.activeMemory }

  @available(*, deprecated, renamed: "Memory.cacheMemory")
  public static var cacheMemory: Int { Memory.cacheMemory }

  @available(*, deprecated, renamed: "Memory.peakMemory")
  public static var peakMemory: Int { Memory.peakMemory }

  @available(*, deprecated, renamed: "Memory.snapshot")
  public static func snapshot() -> Snapshot { Memory.snapshot() }

  /// `GPU.resetPeakMemory()` (GPU+Metal.swift), not deprecated.
  public static func resetPeakMemory() { Memory.peakMemory = 0 }
}

/// `WiredMemoryTicket` (Source/MLX/WiredMemory.swift, new in 0.30.6), only as a type.
public struct WiredMemoryTicket: Sendable, Identifiable {
  public let id: UUID
}
