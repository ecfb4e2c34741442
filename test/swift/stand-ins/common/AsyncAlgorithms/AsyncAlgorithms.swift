// Stand-in for apple/swift-async-algorithms 1.0.4 (the release VLMEval's Package.resolved pins at
// mlx-swift-examples 44b14cf), for memtier's tests: the one declaration the app's evaluator uses,
// `_throttle(for:reducing:)`, from Sources/AsyncAlgorithms/AsyncThrottleSequence.swift. This
// stand-in hands on every element at once, reduced alone; the real one batches by time.

/// `extension AsyncSequence` in AsyncThrottleSequence.swift.
extension AsyncSequence {
  /// `_throttle(for:reducing:)` with the continuous clock.
  @available(macOS 13.0, iOS 16.0, watchOS 9.0, tvOS 16.0, *)
  public func _throttle<Reduced>(
    for interval: Duration,
    reducing: @Sendable @escaping (Reduced?, Element) async -> Reduced
  ) -> _AsyncThrottleSequence<Self, ContinuousClock, Reduced> {
    _AsyncThrottleSequence(self, reducing: reducing)
  }
}

/// `_AsyncThrottleSequence<Base, C, Reduced>`.
@available(macOS 13.0, iOS 16.0, watchOS 9.0, tvOS 16.0, *)
public struct _AsyncThrottleSequence<Base: AsyncSequence, C: Clock, Reduced> {
  let base: Base
  let reducing: @Sendable (Reduced?, Base.Element) async -> Reduced

  init(_ base: Base, reducing: @Sendable @escaping (Reduced?, Base.Element) async -> Reduced) {
    self.base = base
    self.reducing = reducing
  }
}

@available(macOS 13.0, iOS 16.0, watchOS 9.0, tvOS 16.0, *)
extension _AsyncThrottleSequence: AsyncSequence {
  public typealias Element = Reduced

  /// `_AsyncThrottleSequence.Iterator`.
  public struct Iterator: AsyncIteratorProtocol {
    var base: Base.AsyncIterator
    let reducing: @Sendable (Reduced?, Base.Element) async -> Reduced

    public mutating func next() async rethrows -> Reduced? {
      guard let element = try await base.next() else { return nil }
      return await reducing(nil, element)
    }
  }

  public func makeAsyncIterator() -> Iterator {
    Iterator(base: base.makeAsyncIterator(), reducing: reducing)
  }
}

@available(macOS 13.0, iOS 16.0, watchOS 9.0, tvOS 16.0, *)
extension _AsyncThrottleSequence: Sendable where Base: Sendable, Element: Sendable {}

@available(*, unavailable)
extension _AsyncThrottleSequence.Iterator: Sendable {}
