// The simulated iPhone's clock: virtual time, advanced only by the scheduler. The generated
// monitor takes it as its injected clock; the library's pacing and the world's events use it too.

/// A `Clock` on the scheduler's virtual time.
public struct SimClock: Clock {
  /// A point in virtual time.
  public struct Instant: InstantProtocol {
    /// Time since the run began.
    public let offset: Duration

    public init(offset: Duration) { self.offset = offset }

    public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
    public func duration(to other: Instant) -> Duration { other.offset - offset }
    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
  }

  public init() {}

  public var now: Instant { Instant(offset: Scheduler.shared.now) }
  public var minimumResolution: Duration { .nanoseconds(1) }

  public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
    try await Scheduler.shared.sleep(until: deadline.offset)
  }
}

/// A seeded generator (SplitMix64 to spread the seed, then xoshiro256**): the same seed gives
/// the same numbers on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  private var state: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    var mixer = seed
    func splitMix() -> UInt64 {
      mixer &+= 0x9E37_79B9_7F4A_7C15
      var value = mixer
      value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
      value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
      return value ^ (value >> 31)
    }
    state = (splitMix(), splitMix(), splitMix(), splitMix())
  }

  public mutating func next() -> UInt64 {
    let result = rotate(state.1 &* 5, 7) &* 9
    let shifted = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= shifted
    state.3 = rotate(state.3, 45)
    return result
  }

  private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
    (value << count) | (value >> (64 - count))
  }

  /// A whole number in `range`.
  public mutating func int(_ range: ClosedRange<Int>) -> Int {
    Int.random(in: range, using: &self)
  }

  /// True with probability `probability`.
  public mutating func chance(_ probability: Double) -> Bool {
    Double(next() >> 11) / Double(1 << 53) < probability
  }

  /// A duration between `low` and `high`, to the millisecond.
  public mutating func duration(_ low: Duration, _ high: Duration) -> Duration {
    let lowMs = Int(low / .milliseconds(1))
    let highMs = Int(high / .milliseconds(1))
    return .milliseconds(int(lowMs...max(lowMs, highMs)))
  }

  /// One of `items`.
  public mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}
