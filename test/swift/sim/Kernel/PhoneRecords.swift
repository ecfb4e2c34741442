// What the stand-in modules record (CallLog), read after every step: loads asked for, the images
// the processor was given, generations started, finished and stopped, models released, the
// app's MLX limits and cache clears, and the crashes the stand-in library records.

import Foundation
import StandInSupport

extension Phone {

  /// Reads what the stand-ins recorded since the last step and applies it.
  public func readCallLog() {
    let calls = CallLog.shared.calls
    guard callLogRead < calls.count else { return }
    let fresh = calls[callLogRead...]
    callLogRead = calls.count
    for call in fresh { apply(call) }
  }

  func apply(_ call: String) {
    if call.hasPrefix("CRASH: ") {
      note(call)
      die(.libraryCrash(String(call.dropFirst(7))))
    } else if call.hasPrefix("VLMModelFactory.loadContainer(") {
      note("the app asks for a load")
    } else if call.hasPrefix("prepare(") {
      lock.withLock { imageTokensOfNextPrompt = imageTokens(call) }
    } else if call.hasPrefix("generate(maxTokens: ") {
      startGeneration(call)
    } else if call == "generation finished" {
      if let id = lastProducer { endGeneration(id, finished: true) }
    } else if call == "generation cancelled" {
      consumerStopped()
    } else if call == "ModelContainer released" {
      lock.withLock { ledger.residentCopies = max(0, ledger.residentCopies - 1) }
      note("a model copy is released")
    } else if call.hasSuffix("clearCache()") {
      let freed = lock.withLock { () -> UInt64 in
        let cache = ledger.cache
        ledger.clearCache()
        return cache
      }
      note("the app clears MLX's cache (\(freed / mebibyte) MiB)\(libraryBusy ? " while the library works" : "")")
    } else if let bytes = number(after: "GPU.set(cacheLimit: ", in: call) ?? number(after: "Memory.cacheLimit = ", in: call) {
      lock.withLock { ledger.setCacheLimit(bytes) }
      note("MLX's cache limit is set to \(bytes / mebibyte) MiB")
    } else if let bytes = number(after: "GPU.set(memoryLimit: ", in: call) ?? number(after: "Memory.memoryLimit = ", in: call) {
      lock.withLock { ledger.memoryLimit = bytes }
      note("MLX's memory limit is set to \(bytes / mebibyte) MiB")
    }
  }

  func number(after prefix: String, in call: String) -> UInt64? {
    guard call.hasPrefix(prefix) else { return nil }
    return UInt64(call.dropFirst(prefix.count).prefix { $0.isNumber })
  }

  /// The tokens the processor makes of the images in `prepare(resize: …, images: [WxH, …])`:
  /// mlx-swift-lm 2.29.2 and 2.30.6 SmolVLM2 `tiles(from:)` scale each image to the longest edge
  /// (2048) and cut tiles of 512, plus one global image when there is more than one tile; a
  /// video or an image given by URL counts as the estimate's square image.
  func imageTokens(_ call: String) -> Int {
    let model = input.model
    guard let open = call.range(of: "images: ["), let close = call.lastIndex(of: "]") else { return 0 }
    let list = call[open.upperBound..<close]
    guard !list.isEmpty else { return 0 }
    return list.split(separator: ",").reduce(0) { total, item in
      let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "@")[0].split(separator: "x")
      var width = model.longestEdge
      var height = model.longestEdge
      if parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 {
        let longest = max(w, h)
        let edge = model.upscalesImages ? model.longestEdge : min(longest, model.longestEdge)
        width = Int((Double(w) * Double(edge) / Double(longest)).rounded(.up))
        height = Int((Double(h) * Double(edge) / Double(longest)).rounded(.up))
      }
      // As memtier's estimate counts them (src/policy/memory-estimate.ts `imageTokens`): the tiles
      // and a global image, always, each `tokensPerTile` tokens, and the processor's layout text
      // (two tokens per tile, a newline per row of tiles, four around the global image).
      let rows = (height + model.tileSize - 1) / model.tileSize
      let tiles = ((width + model.tileSize - 1) / model.tileSize) * rows
      return total + (tiles + 1) * model.tokensPerTile + tiles * 2 + rows + 4
    }
  }

  func startGeneration(_ call: String) {
    let maxTokens = Int(number(after: "generate(maxTokens: ", in: call) ?? 0)
    let id = lock.withLock { () -> Int in
      nextID += 1
      let context = input.model.promptTokens + imageTokensOfNextPrompt
      let cap = maxTokens > 0 ? maxTokens : 2048
      // Answers end at the model's end-of-sequence token or at maxTokens: often the latter.
      let length = longAnswers || random.chance(0.4) ? cap : random.int(min(8, cap)...cap)
      generations[nextID] = GenerationRecord(
        id: nextID, maxTokens: cap, contextTokens: context, length: length)
      unbound.append(nextID)
      metrics.answersStarted += 1
      history.generationStarted(at: Scheduler.shared.now, lifecycle: lifecycle)
      return nextID
    }
    note("generation \(id) starts (maxTokens \(maxTokens))")
  }

  func consumerStopped() {
    let cause = lock.withLock { () -> String in
      if let stop = userStopAt, now - stop < .seconds(2) {
        metrics.stoppedByUser += 1
        return "the user"
      }
      if let left = leftForegroundAt, now - left < .seconds(2) {
        metrics.cutShortByBackground += 1
        return "leaving the foreground"
      }
      metrics.cutShortByPressure += 1
      return "memory pressure"
    }
    note("an answer is stopped (by \(cause))")
  }
}
