// Stand-in for mlx-swift, for memtier's tests: free functions and namespaces. `MLXRandom.seed(_:)` as declared in
// Source/MLX/Random.swift of both mlx-swift 0.29.1 and 0.30.6 (`public enum MLXRandom`).

import StandInSupport

/// `MLXRandom`: the random-number namespace.
public enum MLXRandom {
  /// `MLXRandom.seed(_:)`: seeds the global random state.
  public static func seed(_ seed: UInt64) {
    CallLog.shared.record("MLXRandom.seed")
  }
}

/// `eval(_:)` (Source/MLX/Transforms+Eval.swift, 0.29.1 and 0.30.6): evaluates the arrays among its
/// arguments; called with none, as the design document's clean-up loops do, it does nothing.
public func eval(_ values: Any...) {
  CallLog.shared.record("eval(\(values.count) values)")
}
