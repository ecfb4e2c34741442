// memtier example (our own code): MemoryPolicy in a SwiftUI view model on the main actor. It is
// built with the generated files in every era the tests know, and shown in
// docs/generated-swift.md ("Without a VLMEval-shaped class"), from its first import on.

import CoreImage
import MLX
import MLXLMCommon
import SwiftUI

/// A chat screen's model: one answer at a time, its model released as the policy says.
@Observable
@MainActor
final class ChatViewModel {
  private(set) var output = ""
  private(set) var isModelLoaded = false

  private let policy: MemoryPolicy
  private let monitor: MemoryPressureMonitor
  private let loader: @Sendable () async throws -> ModelContainer
  private var container: ModelContainer?
  private var answer: Task<Void, Never>?

  init(
    policy: MemoryPolicy = .current, monitor: MemoryPressureMonitor = .shared,
    loader: @escaping @Sendable () async throws -> ModelContainer
  ) {
    self.policy = policy
    self.monitor = monitor
    self.loader = loader
    policy.applyLimits()  // once, before the model loads
  }

  /// Follows the monitor's pressure while the screen is shown:
  /// `.task { await viewModel.followMemoryPressure() }` (SwiftUI cancels it with the view).
  func followMemoryPressure() async {
    for await level in MemoryPolicy.pressureUpdates(from: monitor) {
      let release = policy.releaseOnPressure(level)
      if release.unloadsModel { stop() }
      self.release(release)
    }
  }

  /// Starts answering `prompt` about `image`, unless an answer is running.
  func ask(_ prompt: String, image: CIImage?) {
    guard answer == nil else { return }
    answer = Task {
      defer { answer = nil }
      do {
        let text = try await generate(prompt, image: image, with: try await loadedModel())
        guard !Task.isCancelled else { return }
        output = text
        release(policy.releaseAfterAnswer(under: monitor.currentPressure()))
      } catch {
        output = "Could not answer: \(error.localizedDescription)"
      }
    }
  }

  /// Stops the answer; once it has ended, frees what the pressure sampled then asks for.
  func stop() {
    guard let running = answer else { return }
    running.cancel()
    Task {
      await running.value
      release(policy.releaseAfterCancel(under: monitor.currentPressure()))
    }
  }

  private func loadedModel() async throws -> ModelContainer {
    if let container { return container }
    let loaded = try await loader()
    if policy.keepsModelLoaded(under: monitor.currentPressure()) {
      container = loaded
      isModelLoaded = true
    }
    return loaded
  }

  private func generate(
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

  /// Frees what `release` asks for.
  ///
  /// `MemoryPolicy.clearCache()` clears only where the pinned mlx-swift's clear takes MLX's lock
  /// (0.30.3 and later), so it is safe at any time.
  private func release(_ release: MemoryRelease) {
    if release.unloadsModel {
      container = nil
      isModelLoaded = false
    }
    if release.clearsCache { MemoryPolicy.clearCache() }
  }
}
