// Stand-in for mlx-swift, for memtier's tests: `MLXArray(_:_:)` from an array of `Int`, as mlx-swift
// 0.31.4 declares it (Source/MLX/MLXArray+Init.swift; the shape an optional `some Collection<Int>`,
// where 0.29.1 had `[Int]?`). A processor makes its prompt's tokens with it. The array stays empty.

extension MLXArray {
  public convenience init(_ value: [Int], _ shape: (some Collection<Int>)? = [Int]?.none) {
    self.init()
  }
}
