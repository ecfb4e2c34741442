// Test support for memtier's Swift harness, not a transcription of any library: what the stand-in
// MLX library is doing (evaluating or not), how long its work takes (a pacing tests install), and
// the crashes the real library would have had. Each rule names its source.

import Foundation

/// How long the stand-in library's work takes. The stand-ins await these hooks, so a test (or a
/// simulation on its own clock) decides when a load ends, when each token comes and how long a
/// stopped generation winds down. Each hook defaults to "at once".
public protocol LibraryPacing: Sendable {
  /// Awaited while a model loads (`loadContainer`): the weights are read and evaluated then.
  func load() async
  /// Awaited before token `index` (from 0) of a generation is produced.
  func token(_ index: Int) async
  /// Awaited by a generation's producer after it noticed that its consumer stopped: the token it
  /// was computing, then `Stream().synchronize()` (mlx-swift-lm 2.29.2 Evaluate.swift).
  func windDown() async
}

extension LibraryPacing {
  /// At once.
  public func load() async {}
  /// At once.
  public func token(_ index: Int) async {}
  /// At once.
  public func windDown() async {}
}

/// The default pacing: everything at once.
public struct ImmediatePacing: LibraryPacing {
  public init() {}
}

/// The stand-in library's shared state.
///
/// Rules:
/// - The library is evaluating while a model loads, from the streaming `generate` call (its
///   `TokenIterator` runs the prompt then) until the producer has synchronized, and through a
///   stopped producer's wind-down: mlx-swift-lm 2.29.2 Libraries/MLXLMCommon/Evaluate.swift runs
///   the token loop in an unstructured `Task`; a consumer that stops only cancels it, and it
///   notices at its next token. 2.30.6 documents it on `generate` and `generateTask`.
/// - A `clearCache()` that takes no lock (mlx-swift before 0.30.3: 0.29.1 Source/MLX/GPU.swift
///   calls `mlx_clear_cache()` bare) while the library is evaluating is a crash: that is the Metal
///   crash ml-explore/mlx-swift 5bd59d0 (#331, first in 0.30.3) fixed by taking `evalLock`.
/// - GPU work started while the app is in the background is a crash: iOS refuses the command
///   buffer and MLX aborts (ml-explore/mlx-swift issue 274; Apple, "Preparing your Metal app to
///   run in the background").
///
/// A crash is recorded (here and in `CallLog` as "CRASH: …"), not raised: the test sees it.
public final class LibraryWorld: @unchecked Sendable {
  /// The world every stand-in module uses.
  public static let shared = LibraryWorld()

  private let lock = NSLock()
  private var installedPacing: any LibraryPacing = ImmediatePacing()
  private var evaluations = 0
  private var recordedCrashes: [String] = []
  private var background = false

  /// How long the library's work takes; `ImmediatePacing` unless a test installs another.
  public var pacing: any LibraryPacing {
    get { lock.withLock { installedPacing } }
    set { lock.withLock { installedPacing = newValue } }
  }

  /// Whether the library is evaluating now (a load, a generation, a stopped one winding down).
  public var isEvaluating: Bool { lock.withLock { evaluations > 0 } }

  /// How many pieces of work are evaluating now.
  public var evaluationCount: Int { lock.withLock { evaluations } }

  /// The crashes recorded so far, oldest first.
  public var crashes: [String] { lock.withLock { recordedCrashes } }

  /// Whether the app is in the background (a test sets it with the monitor's state).
  public var inBackground: Bool {
    get { lock.withLock { background } }
    set { lock.withLock { background = newValue } }
  }

  /// Forgets the crashes and restores the default pacing and the foreground. Work still
  /// evaluating stays counted: it ends when it ends.
  public func reset() {
    lock.withLock {
      installedPacing = ImmediatePacing()
      recordedCrashes.removeAll()
      background = false
    }
  }

  /// Work that evaluates starts (`what`: "load", "generation"): in the background, a crash.
  public func beginEvaluating(_ what: String) {
    lock.withLock { evaluations += 1 }
    submitsGPUWork(what)
  }

  /// Work that evaluated has ended: its last command buffer is done.
  public func endEvaluating() {
    lock.withLock { evaluations -= 1 }
  }

  /// GPU work is submitted (`what`: "a token"): in the background, a crash.
  public func submitsGPUWork(_ what: String) {
    if inBackground { crash("GPU work in the background (\(what))") }
  }

  /// `clearCache()` runs: without a lock, while evaluating, a crash.
  public func clearsCache(takesLock: Bool) {
    if !takesLock && isEvaluating { crash("clearCache while evaluating") }
  }

  private func crash(_ what: String) {
    lock.withLock { recordedCrashes.append(what) }
    CallLog.shared.record("CRASH: \(what)")
  }
}
