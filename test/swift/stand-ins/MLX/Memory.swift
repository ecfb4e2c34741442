// Stand-in for mlx-swift's memory API, both generations (facts.md section 3):
// `MLX.GPU.set(...)` up to 0.29.x, `MLX.Memory` from 0.30.1.

/// mlx-swift up to 0.29.x: GPU memory settings.
public enum GPU {
  /// `MLX.GPU.set(cacheLimit:)`.
  public static func set(cacheLimit: Int) {
    CallLog.shared.record("GPU.set(cacheLimit: \(cacheLimit))")
  }

  /// `MLX.GPU.set(memoryLimit:relaxed:)`.
  public static func set(memoryLimit: Int, relaxed: Bool = true) {
    CallLog.shared.record("GPU.set(memoryLimit: \(memoryLimit), relaxed: \(relaxed))")
  }

  /// `MLX.GPU.clearCache()`.
  public static func clearCache() {
    CallLog.shared.waitWhileCleanupHeld()
    CallLog.shared.record("GPU.clearCache()")
  }
}

/// mlx-swift 0.30.1 and later: memory settings as properties.
public enum Memory {
  private static let cache = LockedValue(0)
  private static let memory = LockedValue(0)

  /// `MLX.Memory.cacheLimit`.
  public static var cacheLimit: Int {
    get { cache.current }
    set {
      cache.current = newValue
      CallLog.shared.record("Memory.cacheLimit = \(newValue)")
    }
  }

  /// `MLX.Memory.memoryLimit`.
  public static var memoryLimit: Int {
    get { memory.current }
    set {
      memory.current = newValue
      CallLog.shared.record("Memory.memoryLimit = \(newValue)")
    }
  }

  /// `MLX.Memory.clearCache()`.
  public static func clearCache() {
    CallLog.shared.waitWhileCleanupHeld()
    CallLog.shared.record("Memory.clearCache()")
  }
}

/// `MLX.eval(...)`: evaluates arrays; called with none it does nothing useful, which tests can see.
public func eval(_ values: Any...) {
  CallLog.shared.record("eval(\(values.count) values)")
}
