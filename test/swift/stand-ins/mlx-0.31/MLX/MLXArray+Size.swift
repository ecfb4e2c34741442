// Stand-in for mlx-swift 0.31.4, for memtier's tests: `MLXArray.size` (Source/MLX/MLXArray.swift),
// which mlx-swift-lm 3.x apps read from a prepared input's tokens. The stand-in array is empty.

extension MLXArray {
  /// `size`: the number of elements.
  public var size: Int { 0 }
}
