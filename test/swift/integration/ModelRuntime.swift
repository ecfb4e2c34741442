// memtier example (our own code): MemoryPolicy in an actor that keeps models in a dictionary. It
// is built with the generated files in every era the tests know, and shown in
// docs/generated-swift.md ("Without a VLMEval-shaped class"), from its first import on.

import CoreImage
import MLX
import MLXLMCommon

/// Loads models by name, keeps them while the tier allows, and answers with them.
actor ModelRuntime {
  private let policy: MemoryPolicy
  private let loader: @Sendable (String) async throws -> ModelContainer
  private var models: [String: ModelContainer] = [:]
  private var loading: [String: Task<ModelContainer, any Error>] = [:]
  /// The answers running, by number: an emergency stops them.
  private var answering: [Int: Task<String, any Error>] = [:]
  private var answersStarted = 0
  /// The level the pressure stream last sent (`normal` until `follow(_:)` runs).
  private var pressure = MemoryPressure.normal

  init(
    policy: MemoryPolicy = .current,
    loader: @escaping @Sendable (String) async throws -> ModelContainer
  ) {
    self.policy = policy
    self.loader = loader
    policy.applyLimits()  // once, before the first model loads
  }

  /// The names of the models kept loaded.
  var loadedModels: [String] { models.keys.sorted() }

  /// Follows the monitor's pressure until the calling task is cancelled:
  /// `Task { await runtime.follow(await MemoryPolicy.pressureUpdates()) }`.
  func follow(_ updates: AsyncStream<MemoryPressure>) async {
    for await level in updates {
      pressure = level
      let release = policy.releaseOnPressure(level)
      if release.unloadsModel { answering.values.forEach { $0.cancel() } }
      self.release(release)
    }
  }

  /// Answers `prompt` about `image` with the model called `name`.
  func answer(_ prompt: String, image: CIImage?, model name: String) async throws -> String {
    let container = try await model(named: name)
    answersStarted += 1
    let number = answersStarted
    let generation = Task { try await generate(prompt, image: image, with: container) }
    answering[number] = generation
    let result = await withTaskCancellationHandler {
      await generation.result
    } onCancel: {
      generation.cancel()
    }
    answering[number] = nil
    if generation.isCancelled {
      release(policy.releaseAfterCancel(under: pressure))
    } else {
      release(policy.releaseAfterAnswer(under: pressure))
    }
    return try result.get()
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

  /// The model called `name`: kept, being loaded, or loaded now (and kept when the tier allows).
  private func model(named name: String) async throws -> ModelContainer {
    if let model = models[name] { return model }
    if let load = loading[name] { return try await load.value }
    let load = Task { [loader] in try await loader(name) }
    loading[name] = load
    defer { loading[name] = nil }
    let model = try await load.value
    if policy.keepsModelLoaded(under: pressure) { models[name] = model }
    return model
  }

  /// Frees what `release` asks for.
  ///
  /// `MemoryPolicy.clearCache()` clears only where the pinned mlx-swift's clear takes MLX's lock
  /// (0.30.3 and later), so it is safe at any time.
  private func release(_ release: MemoryRelease) {
    if release.unloadsModel { models.removeAll() }
    if release.clearsCache { MemoryPolicy.clearCache() }
  }
}
