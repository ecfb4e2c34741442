// Stand-in for mlx-swift, for memtier's tests: `public final class MLXArray` (Source/MLX/MLXArray.swift
// in 0.29.1 and 0.30.6; not Sendable in either), only as a type that other declarations name.

/// `MLXArray`: an n-dimensional array; here, empty.
public final class MLXArray {
  public init() {}
}
