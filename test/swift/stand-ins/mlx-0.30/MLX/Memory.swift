// Stand-in for mlx-swift 0.30.6, for memtier's tests: `public enum Memory` from
// Source/MLX/Memory.swift (new in 0.30.1), and `public enum GPU` from Source/MLX/GPU+Metal.swift,
// whose memory calls are kept only as deprecated forwards to `Memory`. The `@available` attributes
// are the release's own, so using `GPU` here warns as it does in a real build.

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

  /// `Memory.clearCache()`.
  public static func clearCache() {
    CallLog.shared.waitWhileCleanupHeld()
    CallLog.shared.record("Memory.clearCache()")
  }
}

/// `MLX.GPU` in 0.30.6: the memory calls remain, deprecated.
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
}

/// `WiredMemoryTicket` (Source/MLX/WiredMemory.swift, new in 0.30), only as a type.
public struct WiredMemoryTicket: Sendable, Identifiable {
  public let id: UUID
}
