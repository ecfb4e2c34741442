// memtier example (our own code): MemoryPolicy in a Sendable service class that guards its state
// with a lock and may be called from any thread. It is built with the generated files in every era
// the tests know, and shown in docs/generated-swift.md ("Without a VLMEval-shaped class"), from its
// first import on.

import CoreImage
import Foundation
import MLX
import MLXLMCommon

/// One model, loaded on demand, answering from any thread.
///
/// Its members are `nonisolated`, so that in a module whose default isolation is the main actor
/// (Xcode 26's new app targets) it stays callable from any thread; the lock guards its state.
final class ModelService: @unchecked Sendable {
  private nonisolated let policy: MemoryPolicy
  private nonisolated let loader: @Sendable () async throws -> ModelContainer
  private nonisolated let lock = NSLock()
  /// The model, loading or loaded; `nil` when unloaded.
  private nonisolated(unsafe) var model: Task<ModelContainer, any Error>?
  /// The answers running (each loads the model first), by number: an emergency stops them.
  private nonisolated(unsafe) var answering: [Int: Task<String, any Error>] = [:]
  private nonisolated(unsafe) var answersStarted = 0
  /// The level the pressure stream last sent (`normal` until `follow(_:)` runs).
  private nonisolated(unsafe) var pressure = MemoryPressure.normal

  nonisolated init(
    policy: MemoryPolicy = .current, loader: @escaping @Sendable () async throws -> ModelContainer
  ) {
    self.policy = policy
    self.loader = loader
    policy.applyLimits()  // once, before the model loads
  }

  /// Whether the model is loaded or loading.
  nonisolated var isModelLoaded: Bool { lock.withLock { model != nil } }

  /// Follows the monitor's pressure until the calling task is cancelled:
  /// `Task { await service.follow(await MemoryPolicy.pressureUpdates()) }`.
  nonisolated func follow(_ updates: AsyncStream<MemoryPressure>) async {
    for await level in updates {
      let running = lock.withLock {
        pressure = level
        return answering.values
      }
      let release = policy.releaseOnPressure(level)
      if release.unloadsModel { running.forEach { $0.cancel() } }
      self.release(release)
    }
  }

  /// Answers `prompt` about `image`.
  nonisolated func answer(_ prompt: String, image: CIImage?) async throws -> String {
    let generation = Task {
      try await generate(prompt, image: image, with: try await loadedModel())
    }
    let number = lock.withLock {
      answersStarted += 1
      answering[answersStarted] = generation
      return answersStarted
    }
    let result = await withTaskCancellationHandler {
      await generation.result
    } onCancel: {
      generation.cancel()
    }
    let level = lock.withLock {
      answering[number] = nil
      return pressure
    }
    if generation.isCancelled {
      release(policy.releaseAfterCancel(under: level))
    } else {
      release(policy.releaseAfterAnswer(under: level))
    }
    return try result.get()
  }

  private nonisolated func generate(
    _ prompt: String, image: CIImage?, with container: ModelContainer
  ) async throws -> String {
    let policy = policy
    return try await container.perform { context in
      var input = UserInput(chat: [.user(prompt, images: image.map { [.ciImage($0)] } ?? [])])
      policy.applyImageSize(to: &input)
      let prepared = try await context.processor.prepare(input: input)
      var text = ""
      for await generation in try MLXLMCommon.generate(
        input: prepared, parameters: policy.generateParameters, context: context)
      {
        text += generation.chunk ?? ""
      }
      return text
    }
  }

  /// The model: loaded, or loading (one load at a time), kept afterwards when the tier allows.
  private nonisolated func loadedModel() async throws -> ModelContainer {
    let load = lock.withLock {
      if let model { return model }
      let load = Task { [loader] in try await loader() }
      model = load
      return load
    }
    let result = await load.result
    lock.withLock {
      let loaded = (try? result.get()) != nil
      if model == load && !(loaded && policy.keepsModelLoaded(under: pressure)) { model = nil }
    }
    return try result.get()
  }

  /// Frees what `release` asks for.
  ///
  /// `MemoryPolicy.clearCache()` clears only where the pinned mlx-swift's clear takes MLX's lock
  /// (0.30.3 and later), so it is safe at any time.
  private nonisolated func release(_ release: MemoryRelease) {
    if release.unloadsModel { lock.withLock { model = nil } }
    if release.clearsCache { MemoryPolicy.clearCache() }
  }
}
