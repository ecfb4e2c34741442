// Behaviour of the generated on-device stress runner (MemoryStressTest.swift), driven on Linux by a
// scripted evaluator whose footprint and token stream the tests set, and by the patched evaluator
// itself against the recording stand-ins.

import CoreImage
import Foundation
import MLXLMCommon
import StandInSupport
import XCTest

@testable import VLMEval

/// A footprint the tests set and the runner's `measure` reads, from any thread, with the lifetime
/// peak a kernel would keep: the largest value ever set, however briefly.
final class ScriptedFootprint: @unchecked Sendable {
  private let lock = NSLock()
  private var own: UInt64 = 100 * 1_048_576
  private var host: UInt64 = 0
  private var peak: UInt64 = 100 * 1_048_576

  /// Called with the new value each time `value` changes (ScriptedMLXMemory follows it).
  var onChange: (@Sendable (UInt64) -> Void)?

  /// The footprint of everything but the host app's model.
  var value: UInt64 {
    get { lock.withLock { own } }
    set {
      lock.withLock { own = newValue; peak = max(peak, own + host) }
      onChange?(newValue)
    }
  }

  /// The host app's own model, in the same process until released.
  var hostModel: UInt64 {
    get { lock.withLock { host } }
    set { lock.withLock { host = newValue; peak = max(peak, own + host) } }
  }

  /// The largest footprint the process has had (what `ledger_phys_footprint_peak` reports).
  var lifetimePeak: UInt64 { lock.withLock { peak } }

  /// A measurement of a process with a 4 GiB limit.
  func usage() -> MemoryUsage {
    let footprint = lock.withLock { own + host }
    return MemoryUsage(footprint: footprint, available: 4_294_967_296 - footprint)
  }
}

/// MLX's figures as the runner reads them, made from the scripted footprint: what is above the
/// 100 MiB baseline is MLX's active memory, 20 MiB more its cache, and the peak the largest active
/// memory since the runner last reset it, followed as the footprint changes (as MLX's allocator
/// keeps its peak), not only when the figures are read.
final class ScriptedMLXMemory: @unchecked Sendable {
  private let lock = NSLock()
  private let footprint: ScriptedFootprint
  private var peak = 0
  private var resetCount = 0

  init(footprint: ScriptedFootprint) {
    self.footprint = footprint
    footprint.onChange = { [weak self] value in self?.observe(value) }
  }

  private func observe(_ value: UInt64) {
    let active = max(Int(value) - 100 * 1_048_576, 0)
    lock.withLock { peak = max(peak, active) }
  }

  /// How many times the runner reset the peak.
  var resets: Int { lock.withLock { resetCount } }

  /// The reader the runner takes.
  var reader: MLXMemoryReader {
    MLXMemoryReader(figures: { self.figures() }, resetPeak: { self.reset() })
  }

  private func figures() -> MLXMemoryFigures {
    let active = max(Int(footprint.value) - 100 * 1_048_576, 0)
    return lock.withLock {
      peak = max(peak, active)
      return MLXMemoryFigures(activeMemory: active, cacheMemory: 20 * 1_048_576, peakMemory: peak)
    }
  }

  private func reset() {
    lock.withLock {
      peak = 0
      resetCount += 1
    }
  }
}

/// The thermal states a run goes through: each read takes the next, and the last stays.
final class ScriptedThermalState: @unchecked Sendable {
  private let lock = NSLock()
  private var states: [String?]

  init(_ states: [String?]) {
    self.states = states
  }

  func next() -> String? {
    lock.withLock { states.count > 1 ? states.removeFirst() : states.first ?? nil }
  }
}

/// An evaluator that follows a script: each answer waits, sets the footprint, blocks the main
/// actor if asked, and sends a chunk, step by step.
@MainActor
final class ScriptedSubject: MemoryStressSubject {
  struct Step {
    var wait: Duration = .milliseconds(5)
    var footprintMiB: UInt64?
    /// A footprint held for no time at all: set and put back at once, between two samples.
    var spikeMiB: UInt64?
    var blockMainActor: TimeInterval = 0
    var text: String? = "word "
  }

  var steps: [Step] = Array(repeating: Step(), count: 4)
  var tokensPerAnswer = 4
  var maxTokensForStressTest = 800
  var unloadsAfterEachAnswer = false
  /// The footprint a load brings the process to, in MiB (the model's weights on the baseline);
  /// `nil`: a load leaves it as it was.
  var loadedFootprintMiB: UInt64?
  /// The prompt's tokens, as the library counts them.
  var promptTokens = 1200
  /// Answers (counted from 1 over the whole run) that end as cancelled, as an emergency ends them.
  var cancelledAnswers: Set<Int> = []
  /// Answers (counted from 1 over the whole run) that throw, as a failed load makes them.
  var failingAnswers: Set<Int> = []
  /// Called at the start of each answer.
  var onAnswer: (() -> Void)?
  let footprint = ScriptedFootprint()
  private(set) var loaded = true
  /// What happened, in order: "release others", "unload", "answer N".
  private(set) var events: [String] = []

  var isModelLoadedForStressTest: Bool { loaded }

  func releaseOtherModelsForStressTest() {
    events.append("release others")
    footprint.hostModel = 0
  }

  func unloadModelForStressTest() {
    events.append("unload")
    loaded = false
  }

  func answerForStressTest(
    prompt: String, image: CIImage, onLoaded: @escaping @MainActor @Sendable () -> Void,
    onChunk: @escaping @MainActor @Sendable (String) -> Void
  ) async throws -> MemoryStressAnswer {
    let number = events.filter { $0.hasPrefix("answer") }.count + 1
    events.append("answer \(number)")
    onAnswer?()
    if failingAnswers.contains(number) {
      try await Task.sleep(for: .milliseconds(20))
      throw ScriptedFailure()
    }
    if !loaded, let mebibytes = loadedFootprintMiB { footprint.value = mebibytes * 1_048_576 }
    loaded = true
    onLoaded()
    for step in steps {
      try await Task.sleep(for: step.wait)
      if let mebibytes = step.spikeMiB {
        let before = footprint.value
        footprint.value = mebibytes * 1_048_576
        footprint.value = before
      }
      if let mebibytes = step.footprintMiB { footprint.value = mebibytes * 1_048_576 }
      // The fault under test: the main actor blocked, as Thread.sleep in the app blocked it.
      if step.blockMainActor > 0 { block(for: step.blockMainActor) }
      if let text = step.text { onChunk(text) }
    }
    if unloadsAfterEachAnswer { loaded = false }
    let cancelled = cancelledAnswers.contains(number)
    return MemoryStressAnswer(
      tokens: cancelled ? 0 : tokensPerAnswer, cancelled: cancelled, promptTokens: promptTokens)
  }

  /// Blocks the calling thread (Swift refuses Thread.sleep in an async function, rightly).
  private func block(for seconds: TimeInterval) {
    Thread.sleep(forTimeInterval: seconds)
  }
}

/// The error of a scripted answer that fails.
struct ScriptedFailure: Error {}

/// The idle timer as UIKit keeps it, for the runner's `keepScreenAwake`.
@MainActor
final class ScriptedIdleTimer {
  var disabled = false
  private(set) var settings: [Bool] = []

  func set(_ value: Bool) -> Bool {
    let previous = disabled
    disabled = value
    settings.append(value)
    return previous
  }
}

// Test methods are async and @MainActor one by one: Linux XCTest cannot call a @MainActor class's
// synchronous tests. The class holds no state, so handing it to the main actor is safe.
final class StressRunnerBehaviourTests: XCTestCase, @unchecked Sendable {
  private let budgetNone = PerformanceBudget(
    peakFootprint: nil, minTokensPerSecond: nil, maxSecondsToFirstToken: nil,
    maxSecondsPerAnswer: nil, maxMainActorStallSeconds: nil)

  /// A short plan: one answer in each scenario but the long run, sampled every 5 ms.
  private func plan(inARow: Int = 1, alternating: Int = 1) -> MemoryStressPlan {
    var plan = MemoryStressPlan()
    plan.answersInARow = inARow
    plan.alternatingAnswers = alternating
    plan.longRun = .zero
    plan.samplingInterval = .milliseconds(5)
    plan.tickInterval = .milliseconds(5)
    plan.settleAfterAnswer = .milliseconds(10)
    return plan
  }

  @MainActor private func run(
    _ subject: ScriptedSubject, budget: PerformanceBudget?, plan: MemoryStressPlan? = nil,
    kernel: Bool = false, idleTimer: ScriptedIdleTimer = ScriptedIdleTimer(),
    thermal: ScriptedThermalState = ScriptedThermalState(["nominal"])
  ) async throws -> MemoryStressReport {
    let footprint = subject.footprint
    let runner = MemoryStressRunner(
      subject: subject, tier: .standard, budget: budget, estimatedPeak: 3000 * 1_048_576,
      measure: { footprint.usage() }, lifetimePeak: { kernel ? footprint.lifetimePeak : nil },
      device: "iPhone14,5", keepScreenAwake: { idleTimer.set($0) },
      mlxMemory: ScriptedMLXMemory(footprint: footprint).reader, thermalState: { thermal.next() })
    return try await runner.run(plan ?? self.plan())
  }

  /// The footprint right after the load, at the first token (after the prefill) and at the last,
  /// the growth per token between them, the prompt's tokens, MLX's figures with their peak reset
  /// for each answer, the OS version and the thermal states.
  @MainActor
  func testEachAnswerRecordsLoadPrefillGrowthMLXFiguresAndTheThermalState() async throws {
    let subject = ScriptedSubject()
    subject.loadedFootprintMiB = 1100
    subject.steps = [
      .init(footprintMiB: 1300), .init(footprintMiB: 1310), .init(footprintMiB: 1320),
      .init(footprintMiB: 1330),
    ]
    let thermal = ScriptedThermalState(["nominal", "fair", "fair", "serious", "critical"])
    let report = try await run(subject, budget: budgetNone, thermal: thermal)
    let answers = report.scenarios.flatMap(\.answers)
    XCTAssertEqual(answers.count, 3)
    let mebibyte: UInt64 = 1_048_576
    // Only the first answer loaded the model: the others found it loaded.
    XCTAssertEqual(answers.map(\.footprintAfterLoad), [1100 * mebibyte, nil, nil])
    XCTAssertEqual(answers.map(\.footprintAtFirstToken), [1300 * mebibyte, 1300 * mebibyte, 1300 * mebibyte])
    XCTAssertEqual(answers.map(\.footprintAtLastToken), [1330 * mebibyte, 1330 * mebibyte, 1330 * mebibyte])
    // 30 MiB over the 3 tokens after the first.
    XCTAssertEqual(answers.map(\.footprintGrowthPerToken), Array(repeating: 10 * 1_048_576, count: 3))
    XCTAssertEqual(answers.map(\.promptTokens), [1200, 1200, 1200])
    // MLX's figures at the end of each answer: 1330 MiB less the 100 MiB baseline is active.
    XCTAssertEqual(answers.compactMap(\.mlxMemory).map(\.activeMemory), Array(repeating: 1230 * 1_048_576, count: 3))
    XCTAssertTrue(answers.allSatisfy { ($0.mlxMemory?.peakMemory ?? 0) >= ($0.mlxMemory?.activeMemory ?? 1) })
    XCTAssertEqual(answers.map(\.thermalState), ["fair", "fair", "serious"])
    XCTAssertEqual(report.thermalStateAtStart, "nominal")
    XCTAssertEqual(report.thermalStateAtEnd, "critical")
    let version = ProcessInfo.processInfo.operatingSystemVersion
    XCTAssertEqual(report.osVersion, "\(version.majorVersion).\(version.minorVersion).\(version.patchVersion)")
  }

  /// MLX's peak is reset as each answer begins, so that the answer's figure is its own.
  @MainActor
  func testMLXsPeakIsResetForEachAnswer() async throws {
    let subject = ScriptedSubject()
    let mlx = ScriptedMLXMemory(footprint: subject.footprint)
    let footprint = subject.footprint
    // The first answer ends at 900 MiB; the others reach 700 MiB and end at 400 MiB.
    subject.steps = [.init()]
    var answer = 0
    subject.onAnswer = {
      answer += 1
      if answer > 1 { footprint.value = 700 * 1_048_576 }
      footprint.value = (answer == 1 ? 900 : 400) * 1_048_576
    }
    let runner = MemoryStressRunner(
      subject: subject, tier: .standard, budget: budgetNone, estimatedPeak: nil,
      measure: { footprint.usage() }, lifetimePeak: { nil }, device: "iPhone14,5",
      keepScreenAwake: { _ in false }, mlxMemory: mlx.reader, thermalState: { nil })
    let report = try await runner.run(plan())
    XCTAssertEqual(mlx.resets, 3)
    // Without the reset, the first answer's 800 MiB would be every answer's peak; with a reset
    // just before the figures are read, the 600 MiB each later answer reached would be lost (300).
    let peaks = report.scenarios.flatMap(\.answers).compactMap(\.mlxMemory?.peakMemory)
    XCTAssertEqual(peaks, [800, 600, 600].map { $0 * 1_048_576 })
    XCTAssertNil(report.thermalStateAtStart)
  }

  @MainActor
  func testThePeakIsTheLargestSampleTakenWhileAnAnswerRuns() async throws {
    let subject = ScriptedSubject()
    // 900 MiB for 80 ms between two chunks, back to 300 MiB before the next: only sampling during
    // the answer can see it.
    subject.steps = [
      .init(footprintMiB: 300), .init(wait: .milliseconds(5), footprintMiB: 900, text: nil),
      .init(wait: .milliseconds(80), footprintMiB: 300), .init(),
    ]
    let report = try await run(subject, budget: budgetNone)
    let samples = report.scenarios.flatMap(\.answers).flatMap(\.samples)
    XCTAssertEqual(report.peakFootprint, 900 * 1_048_576)
    XCTAssertEqual(report.sampledPeakFootprint, 900 * 1_048_576)
    XCTAssertNil(report.kernelPeakFootprint, "no kernel to ask here")
    XCTAssertEqual(report.peakFootprint, samples.map(\.footprint).max())
    for answer in report.scenarios.flatMap(\.answers) {
      XCTAssertEqual(answer.peakFootprint, answer.samples.map(\.footprint).max())
      let spike = answer.samples.filter { $0.footprint == 900 * 1_048_576 }
      XCTAssertFalse(spike.isEmpty, "the spike was not sampled in answer \(answer.index)")
      XCTAssertTrue(spike.allSatisfy { $0.seconds < answer.seconds })
      // The last sample, after the answer, is back at 300 MiB.
      XCTAssertEqual(answer.samples.last?.footprint, 300 * 1_048_576)
    }
    XCTAssertEqual(report.pressureLevels, ["normal"])
    XCTAssertEqual(report.failures, [])
    // Measured 900 MiB against the 3000 MiB predicted: 70% below.
    XCTAssertEqual(report.estimatedPeakFootprint, 3000 * 1_048_576)
    XCTAssertEqual(try XCTUnwrap(report.estimateErrorPercent), -70, accuracy: 0.001)
  }

  @MainActor
  func testTheKernelPeakCatchesASpikeBetweenSamplesAndTheBudgetIsCheckedAgainstIt() async throws {
    let subject = ScriptedSubject()
    // 2000 MiB for no time at all: no sample can see it; the kernel's lifetime peak does.
    subject.steps = [.init(footprintMiB: 300), .init(spikeMiB: 2000), .init()]
    let budget = PerformanceBudget(
      peakFootprint: 1500 * 1_048_576, minTokensPerSecond: nil, maxSecondsToFirstToken: nil,
      maxSecondsPerAnswer: nil, maxMainActorStallSeconds: nil)
    let report = try await run(subject, budget: budget, kernel: true)
    XCTAssertEqual(report.sampledPeakFootprint, 300 * 1_048_576)
    XCTAssertEqual(report.kernelPeakFootprintBeforeRun, 100 * 1_048_576)
    XCTAssertEqual(report.kernelPeakFootprint, 2000 * 1_048_576)
    XCTAssertEqual(report.peakFootprint, 2000 * 1_048_576, "the kernel's exact peak, which the run set")
    let peak = try XCTUnwrap(report.failures.first { $0.budget == "peakFootprint" })
    XCTAssertEqual(
      peak.message,
      "tier standard: peakFootprint is 1500 MiB, but the footprint reached 2000 MiB (whole run)")
    XCTAssertEqual(try XCTUnwrap(report.estimateErrorPercent), -100.0 / 3, accuracy: 0.001)
  }

  @MainActor
  func testAKernelPeakSetBeforeTheRunIsNotTakenForTheRuns() async throws {
    let subject = ScriptedSubject()
    // The host app's model (1200 MiB) set the lifetime peak before the run; the run stays lower.
    subject.footprint.hostModel = 1200 * 1_048_576
    subject.steps = [.init(footprintMiB: 900), .init()]
    let report = try await run(subject, budget: budgetNone, kernel: true)
    XCTAssertEqual(report.kernelPeakFootprintBeforeRun, 1300 * 1_048_576)
    XCTAssertEqual(report.kernelPeakFootprint, 1300 * 1_048_576)
    XCTAssertEqual(report.peakFootprint, 900 * 1_048_576, "the largest sample, not the host's peak")
  }

  @MainActor
  func testTheHostAppsModelIsReleasedBeforeTheFirstLoadAndTheBaselineIsMeasuredAfter() async throws {
    let subject = ScriptedSubject()
    subject.footprint.hostModel = 1000 * 1_048_576
    subject.steps = [.init(footprintMiB: 900), .init()]
    let report = try await run(subject, budget: budgetNone)
    XCTAssertEqual(Array(subject.events.prefix(3)), ["release others", "unload", "answer 1"])
    XCTAssertEqual(report.baselineFootprint, 100 * 1_048_576, "measured without the host's model")
    // Every sample is of one model: 900 MiB at most, never 1900.
    XCTAssertEqual(report.peakFootprint, 900 * 1_048_576)
    XCTAssertEqual(subject.events.filter { $0 == "release others" }.count, 1)
  }

  /// The two models of issue 25: the host app's evaluator loaded its model at launch; the runner's
  /// own evaluator must not load a second copy beside it.
  @MainActor
  func testThePatchedHostEvaluatorIsUnloadedBeforeTheRunnerLoadsItsOwnModel() async throws {
    let host = VLMEvaluator()
    host.memoryConfiguration = .forTier(.standard)
    _ = try await host.load()
    XCTAssertTrue(host.isModelLoadedForStressTest)
    CallLog.shared.reset()
    let evaluator = VLMEvaluator()
    evaluator.memoryConfiguration = .forTier(.standard)
    let runner = MemoryStressRunner(
      subject: evaluator, tier: .standard, budget: .forTier(.standard),
      measure: { MemoryUsage(footprint: 1_000_000_000, available: 2_000_000_000) })
    let report = try await runner.run(plan())
    XCTAssertFalse(host.isModelLoadedForStressTest, "the host's model is still loaded")
    let calls = CallLog.shared.calls
    let released = try XCTUnwrap(calls.firstIndex(of: "ModelContainer released"), "\(calls)")
    let loaded = try XCTUnwrap(calls.firstIndex { $0.hasPrefix("VLMModelFactory.loadContainer") })
    XCTAssertLessThan(released, loaded, "the host's model went before the runner's came")
    XCTAssertEqual(report.modelLoads, 1)
    XCTAssertEqual(report.baselineFootprint, 1_000_000_000)
    try await Task.sleep(for: .milliseconds(50))
  }

  /// The emergency bypass of issue 25: an emergency during the run must stop the runner's answer
  /// as it stops the app's, because the answer runs as the evaluator's `generationTask`.
  @MainActor
  func testAnEmergencyMidAnswerCancelsThatAnswerAndTheReportSaysSo() async throws {
    let evaluator = VLMEvaluator()
    evaluator.memoryConfiguration = .forTier(.standard)
    let monitor = MemoryPressureMonitor.shared
    monitor.receiveSystemPressure(.normal)
    CallLog.shared.reset()
    CallLog.shared.holdGeneration()
    defer { CallLog.shared.releaseGeneration() }
    let runner = MemoryStressRunner(
      subject: evaluator, tier: .standard, budget: .forTier(.standard),
      measure: { MemoryUsage(footprint: 1_000_000_000, available: 2_000_000_000) })
    var plan = plan()
    // Time to lower the pressure again before the next answer starts.
    plan.settleAfterAnswer = .milliseconds(200)
    let running = Task { try await runner.run(plan) }
    let generating = try await eventually {
      CallLog.shared.calls.contains { $0.hasPrefix("generate(maxTokens") }
    }
    XCTAssertTrue(generating)
    // The answer runs through startGenerationTask, so the emergency stops it also when the app's
    // generationTask names no task by then.
    evaluator.generationTask = nil
    monitor.record(MemoryUsage(footprint: 90, available: 10))
    let stopped = try await eventually { CallLog.shared.calls.contains("generation cancelled") }
    monitor.record(MemoryUsage(footprint: 0, available: 100))
    CallLog.shared.releaseGeneration()
    let report = try await running.value
    XCTAssertTrue(stopped, "the emergency did not stop the held answer: \(CallLog.shared.calls)")
    let answers = report.scenarios.flatMap(\.answers)
    XCTAssertEqual(answers.map(\.cancelled), [true, false, false])
    XCTAssertEqual(answers.map(\.tokens), [0, 3, 3])
    XCTAssertEqual(report.cancelledAnswers, 1)
    // The emergency unloaded the model once the answer had ended: the next answer loaded it again.
    XCTAssertEqual(answers.map(\.loadedModel), [true, true, false])
    try await Task.sleep(for: .milliseconds(50))
  }

  /// Also: an answer that throws ends the run, and its sampling and main-actor ticker with it.
  @MainActor
  func testACancelledAnswerIsCountedAndKeptOutOfTheSpeedBudgetAndAFailedOneEndsTheRun() async throws {
    let subject = ScriptedSubject()
    subject.cancelledAnswers = [2]
    let budget = PerformanceBudget(
      peakFootprint: nil, minTokensPerSecond: 1_000_000, maxSecondsToFirstToken: nil,
      maxSecondsPerAnswer: nil, maxMainActorStallSeconds: nil)
    let report = try await run(subject, budget: budget)
    XCTAssertEqual(report.scenarios.flatMap(\.answers).map(\.cancelled), [false, true, false])
    XCTAssertEqual(report.cancelledAnswers, 1)
    // No tokens, no rate: the cancelled answer breaks no speed budget, the other two do.
    XCTAssertEqual(report.failures.map(\.whereMeasured).filter { $0.hasPrefix("answersInARow") }, [])
    XCTAssertEqual(report.failures.count, 2)

    let failing = ScriptedSubject()
    failing.failingAnswers = [2]
    let measurements = LockedValue(0)
    let footprint = failing.footprint
    let runner = MemoryStressRunner(
      subject: failing, tier: .standard, budget: nil,
      measure: {
        measurements.current += 1
        return footprint.usage()
      }, device: "iPhone14,5", keepScreenAwake: { _ in false })
    do {
      _ = try await runner.run(plan())
      XCTFail("the failed answer did not end the run")
    } catch {
      XCTAssertTrue(error is ScriptedFailure, "\(error)")
    }
    try await Task.sleep(for: .milliseconds(20))
    let afterTheRun = measurements.current
    try await Task.sleep(for: .milliseconds(60))
    XCTAssertEqual(measurements.current, afterTheRun, "the failed answer's sampling runs on")
  }

  @MainActor
  func testTokensPerSecondCountsTheTokensAfterTheFirstOverTheTimeAfterIt() async throws {
    let subject = ScriptedSubject()
    // Two tokens, one chunk each, at least 100 ms apart: one token in 100 ms or more is at most
    // 10 tokens/s (two tokens over that time would claim 20, as the old arithmetic did).
    subject.steps = [.init(), .init(wait: .milliseconds(100))]
    subject.tokensPerAnswer = 2
    let report = try await run(subject, budget: budgetNone)
    for answer in report.scenarios.flatMap(\.answers) {
      let rate = try XCTUnwrap(answer.tokensPerSecond)
      XCTAssertLessThanOrEqual(rate, 10, "answer \(answer.index)")
      XCTAssertGreaterThan(rate, 1, "answer \(answer.index)")
    }
    // One token has no rate after it.
    subject.tokensPerAnswer = 1
    let single = try await run(subject, budget: budgetNone)
    XCTAssertEqual(single.scenarios.flatMap(\.answers).compactMap(\.tokensPerSecond), [])
  }

  @MainActor
  func testTokensAreReportedAgainstMaxTokens() async throws {
    let subject = ScriptedSubject()
    subject.maxTokensForStressTest = 4
    let full = try await run(subject, budget: budgetNone)
    XCTAssertEqual(full.maxTokens, 4)
    XCTAssertEqual(full.answersAtMaxTokens, 3)
    subject.tokensPerAnswer = 3
    let short = try await run(subject, budget: budgetNone)
    XCTAssertEqual(short.answersAtMaxTokens, 0)
  }

  @MainActor
  func testEachBudgetFailsWhenExceededNamingTheBudgetTheTierAndTheMeasuredValue() async throws {
    let subject = ScriptedSubject()
    subject.steps = [
      .init(wait: .milliseconds(30), footprintMiB: 3600), .init(blockMainActor: 0.2), .init(),
    ]
    let budget = PerformanceBudget(
      peakFootprint: 2_621_440_000, minTokensPerSecond: 1_000_000, maxSecondsToFirstToken: 0.01,
      maxSecondsPerAnswer: 0.05, maxMainActorStallSeconds: 0.1)
    let report = try await run(subject, budget: budget)
    let broken = Set(report.failures.map(\.budget))
    XCTAssertEqual(
      broken,
      [
        "peakFootprint", "minTokensPerSecond", "maxSecondsToFirstToken", "maxSecondsPerAnswer",
        "maxMainActorStallSeconds",
      ])
    let peak = try XCTUnwrap(report.failures.first { $0.budget == "peakFootprint" })
    XCTAssertEqual(
      peak.message,
      "tier standard: peakFootprint is 2500 MiB, but the footprint reached 3600 MiB (whole run)")
    XCTAssertEqual(peak.measured, Double(3600 * 1_048_576))
    XCTAssertEqual(peak.limit, 2_621_440_000)
    for failure in report.failures {
      XCTAssertEqual(failure.tier, "standard")
      XCTAssertTrue(failure.message.hasPrefix("tier standard: \(failure.budget) is "), failure.message)
      XCTAssertGreaterThan(failure.measured, 0)
    }
    let stall = try XCTUnwrap(report.failures.first { $0.budget == "maxMainActorStallSeconds" })
    XCTAssertGreaterThanOrEqual(stall.measured, 0.19)
    XCTAssertTrue(stall.message.contains("the main actor stalled for"), stall.message)
    // The harness builds debug: the timing failures say the budgets assume release.
    XCTAssertTrue(stall.message.hasSuffix("; a debug build, and the budgets assume release)"))
    // The first load's wait (it may download the model) is not held to the first-token budget.
    let waits = report.failures.filter { $0.budget == "maxSecondsToFirstToken" }
    XCTAssertFalse(waits.contains { $0.whereMeasured.hasPrefix("firstLoad") })
    XCTAssertTrue(waits.contains { $0.whereMeasured == "answersInARow, answer 1" })
  }

  @MainActor
  func testEachBudgetPassesWhenMet() async throws {
    let subject = ScriptedSubject()
    subject.steps = [.init(footprintMiB: 2000), .init(), .init()]
    let budget = PerformanceBudget(
      peakFootprint: 2_621_440_000, minTokensPerSecond: 0.001, maxSecondsToFirstToken: 30,
      maxSecondsPerAnswer: 30, maxMainActorStallSeconds: 5)
    let report = try await run(subject, budget: budget)
    XCTAssertEqual(report.failures, [])
    XCTAssertEqual(report.peakFootprint, 2000 * 1_048_576)
    XCTAssertEqual(report.budget?.peakFootprint, 2_621_440_000)
    for answer in report.scenarios.flatMap(\.answers) {
      XCTAssertEqual(answer.tokens, 4)
      XCTAssertFalse(answer.cancelled)
      XCTAssertNotNil(answer.tokensPerSecond)
      XCTAssertNotNil(answer.secondsToFirstToken)
    }
  }

  @MainActor
  func testAReloadIsCounted() async throws {
    let keeps = ScriptedSubject()
    let kept = try await run(keeps, budget: nil, plan: plan(inARow: 2, alternating: 2))
    XCTAssertEqual(kept.scenarios.map(\.name), ["firstLoad", "answersInARow", "alternatingImages", "longRun"])
    XCTAssertEqual(kept.scenarios.map(\.answers.count), [1, 2, 2, 0])
    XCTAssertEqual(kept.scenarios.flatMap(\.answers).map(\.loadedModel), [true, false, false, false, false])
    XCTAssertEqual(kept.modelLoads, 1)
    XCTAssertEqual(kept.reloads, 0)
    XCTAssertEqual(kept.scenarios[2].answers.map(\.image), [0, 1])

    let unloads = ScriptedSubject()
    unloads.unloadsAfterEachAnswer = true
    let reloaded = try await run(unloads, budget: nil, plan: plan(inARow: 2, alternating: 2))
    XCTAssertEqual(reloaded.modelLoads, 5)
    XCTAssertEqual(reloaded.reloads, 4)
  }

  @MainActor
  func testAStalledMainActorIsDetected() async throws {
    let blocked = ScriptedSubject()
    blocked.steps = [.init(), .init(blockMainActor: 0.25), .init()]
    let stalled = try await run(blocked, budget: nil)
    XCTAssertGreaterThanOrEqual(stalled.longestMainActorStallSeconds, 0.24)
    for answer in stalled.scenarios.flatMap(\.answers) {
      XCTAssertGreaterThanOrEqual(answer.longestMainActorStallSeconds, 0.24)
    }

    let free = try await run(ScriptedSubject(), budget: nil)
    XCTAssertLessThan(free.longestMainActorStallSeconds, 0.24)
  }

  @MainActor
  func testPressureLevelsFollowTheSamples() async throws {
    let subject = ScriptedSubject()
    // 3600 MiB of a 4 GiB limit is 88%: critical.
    subject.steps = [.init(footprintMiB: 3000), .init(footprintMiB: 3600), .init(footprintMiB: 500)]
    let report = try await run(subject, budget: nil)
    XCTAssertEqual(report.pressureLevels, ["normal", "warning", "critical"])
  }

  @MainActor
  func testTheLongRunRepeatsUntilItsDurationHasPassed() async throws {
    var plan = plan()
    plan.longRun = .milliseconds(400)
    plan.pauseBetweenAnswers = .milliseconds(20)
    let report = try await run(ScriptedSubject(), budget: nil, plan: plan)
    let longRun = try XCTUnwrap(report.scenarios.last)
    XCTAssertEqual(longRun.name, "longRun")
    XCTAssertGreaterThanOrEqual(longRun.answers.count, 2)
    XCTAssertEqual(longRun.answers.map(\.index), Array(1...longRun.answers.count))
  }

  /// Auto-lock would send the app to the background mid-run, where GPU work ends the process.
  @MainActor
  func testTheScreenStaysAwakeWhileTheRunLastsAndIsRestoredAfter() async throws {
    let subject = ScriptedSubject()
    let idleTimer = ScriptedIdleTimer()
    var awake: [Bool] = []
    subject.onAnswer = { awake.append(idleTimer.disabled) }
    _ = try await run(subject, budget: nil, idleTimer: idleTimer)
    XCTAssertEqual(awake, [true, true, true], "the idle timer was on during an answer")
    XCTAssertEqual(idleTimer.settings, [true, false])
    XCTAssertFalse(idleTimer.disabled)
    // An app that had turned the idle timer off itself keeps it off.
    let already = ScriptedIdleTimer()
    already.disabled = true
    _ = try await run(ScriptedSubject(), budget: nil, idleTimer: already)
    XCTAssertEqual(already.settings, [true, true])
    XCTAssertTrue(already.disabled)
  }

  func testThePlanReadsItsEnvironment() {
    let plan = MemoryStressPlan.fromEnvironment([
      "MEMTIER_STRESS_MINUTES": "30", "MEMTIER_STRESS_ANSWERS": "20",
    ])
    XCTAssertEqual(plan.longRun, .seconds(1800))
    XCTAssertEqual(plan.answersInARow, 20)
    XCTAssertEqual(MemoryStressPlan.fromEnvironment([:]).longRun, .seconds(60))
    XCTAssertEqual(MemoryStressPlan.fromEnvironment(["MEMTIER_STRESS_MINUTES": "soon"]).longRun, .seconds(60))
  }

  func testTheDefaultPlanHasTwoPhotoSizedPicturesAndAsksForALongAnswer() {
    let plan = MemoryStressPlan()
    XCTAssertEqual(
      plan.images.map(\.extent),
      [CGRect(x: 0, y: 0, width: 4032, height: 3024), CGRect(x: 0, y: 0, width: 1080, height: 1920)])
    XCTAssertTrue(plan.prompt.contains("Write at least 600 words"), plan.prompt)
  }

  /// Whether RGBA8 pixels look like a photo rather than a flat color: many colors, hard edges in
  /// places, fine variation almost everywhere (noise), and light that changes down the picture.
  private func looksLikeAPhoto(_ pixels: Data, width: Int, height: Int) -> [String] {
    let bytes = [UInt8](pixels)
    var problems: [String] = []
    if !stride(from: 3, to: bytes.count, by: 4).allSatisfy({ bytes[$0] == 255 }) {
      problems.append("not opaque")
    }
    func luma(_ pixel: Int) -> Int {
      (Int(bytes[pixel * 4]) * 299 + Int(bytes[pixel * 4 + 1]) * 587 + Int(bytes[pixel * 4 + 2]) * 114)
        / 1000
    }
    var colors = Set<UInt32>()
    var (edges, fine, flat, pairs) = (0, 0, 0, 0)
    for y in stride(from: 0, to: height, by: 3) {
      for x in 0..<(width - 1) {
        let pixel = y * width + x
        colors.insert(UInt32(bytes[pixel * 4]) << 16 | UInt32(bytes[pixel * 4 + 1]) << 8 | UInt32(bytes[pixel * 4 + 2]))
        let step = abs(luma(pixel + 1) - luma(pixel))
        pairs += 1
        if step > 40 { edges += 1 } else if step > 0 && step <= 12 { fine += 1 } else if step == 0 { flat += 1 }
      }
    }
    if colors.count < 5_000 { problems.append("only \(colors.count) colors") }
    if edges * 1000 < pairs { problems.append("edges in \(edges) of \(pairs) neighbours") }
    if edges * 5 > pairs { problems.append("edges everywhere (\(edges) of \(pairs))") }
    if fine * 2 < pairs { problems.append("fine variation in only \(fine) of \(pairs) neighbours") }
    if flat * 4 > pairs { problems.append("flat in \(flat) of \(pairs) neighbours") }
    let rowLight = { (y: Int) in (0..<width).map { luma(y * width + $0) }.reduce(0, +) / width }
    if abs(rowLight(0) - rowLight(height / 3)) < 5 { problems.append("no gradient down the sky") }
    return problems
  }

  func testThePhotoLikePicturesHaveEdgesGradientsAndNoiseAndTheSameSeedGivesTheSamePixels() {
    let (width, height) = (1008, 756)
    let pixels = PhotoLikePicture.pixels(width: width, height: height, seed: 1)
    XCTAssertEqual(pixels.count, width * height * 4)
    XCTAssertEqual(looksLikeAPhoto(pixels, width: width, height: height), [])
    let portrait = PhotoLikePicture.pixels(width: 270, height: 480, seed: 2)
    XCTAssertEqual(looksLikeAPhoto(portrait, width: 270, height: 480), [])
    XCTAssertEqual(pixels, PhotoLikePicture.pixels(width: width, height: height, seed: 1))
    XCTAssertNotEqual(pixels, PhotoLikePicture.pixels(width: width, height: height, seed: 3))
    // The same checks refuse the solid colors the plan used to have.
    let solid = Data([UInt8](repeating: 0, count: 64 * 48).flatMap { _ in [51, 128, 204, 255] })
    XCTAssertFalse(looksLikeAPhoto(solid, width: 64, height: 48).isEmpty)
  }

  @MainActor
  func testTheReportIsAttachedBeforeItIsWrittenAndAWriteErrorIsItsOwnFailure() async throws {
    let report = try await run(ScriptedSubject(), budget: nil)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memtier-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("report.json")
    var attached: [Data] = []
    var writtenBeforeAttaching = true
    let written = try report.deliver(to: url) { json in
      writtenBeforeAttaching = FileManager.default.fileExists(atPath: url.path)
      attached.append(json)
    }
    XCTAssertNil(written)
    XCTAssertFalse(writtenBeforeAttaching, "the file was written before the report was attached")
    XCTAssertEqual(attached, [try Data(contentsOf: url)])
    XCTAssertEqual(try JSONDecoder().decode(MemoryStressReport.self, from: attached[0]), report)
    // A path that does not exist on the phone: the run is attached, and the write is a failure of
    // its own, in words, not a thrown error that ends the test before anything is kept.
    let missing = folder.appendingPathComponent("no such folder/report.json")
    var kept: [Data] = []
    let failure = try XCTUnwrap(report.deliver(to: missing) { kept.append($0) })
    XCTAssertEqual(kept, attached)
    XCTAssertTrue(failure.contains(missing.path), failure)
    XCTAssertTrue(failure.hasPrefix("the stress report is attached to the test result, but"), failure)
  }

  /// Writes a report for the TypeScript side to check against docs/stress-report.schema.json.
  @MainActor
  func testTheReportIsJSONThatDecodesToItself() async throws {
    let subject = ScriptedSubject()
    subject.loadedFootprintMiB = 1100
    subject.steps = [.init(footprintMiB: 3600), .init(blockMainActor: 0.15), .init()]
    let budget = PerformanceBudget(
      peakFootprint: 2_621_440_000, minTokensPerSecond: 15, maxSecondsToFirstToken: 2,
      maxSecondsPerAnswer: nil, maxMainActorStallSeconds: 0.1)
    let report = try await run(subject, budget: budget)
    XCTAssertEqual(report.buildConfiguration, "debug", "swift test builds debug, with DEBUG defined")
    let json = try report.json()
    XCTAssertEqual(try JSONDecoder().decode(MemoryStressReport.self, from: json), report)
    let text = try XCTUnwrap(String(data: json, encoding: .utf8))
    XCTAssertTrue(text.contains("\"format\" : \"memtier-stress-report\\/3\""), text)
    // test/swift/package.test.ts reads it from the package's folder (the working folder).
    let path = FileManager.default.currentDirectoryPath + "/stress-report.json"
    try json.write(to: URL(fileURLWithPath: path))
  }

  /// The runner drives the patched app's own evaluator, unchanged, through the generated conformance.
  @MainActor
  func testTheRunnerDrivesThePatchedEvaluator() async throws {
    for (tier, loads, maxTokens) in [(DeviceMemoryTier.standard, 1, 800), (.ultraLow, 3, 300)] {
      let evaluator = VLMEvaluator()
      evaluator.memoryConfiguration = .forTier(tier)
      let runner = MemoryStressRunner(
        subject: evaluator, tier: tier, budget: .forTier(tier),
        measure: { MemoryUsage(footprint: 1_000_000_000, available: 2_000_000_000) })
      let report = try await runner.run(plan())
      XCTAssertEqual(report.tier, tier.rawValue)
      // The stand-in generation answers with one chunk and 3 tokens.
      XCTAssertEqual(report.scenarios.flatMap(\.answers).map(\.tokens), [3, 3, 3], "\(tier)")
      XCTAssertEqual(report.scenarios.flatMap(\.answers).map(\.cancelled), [false, false, false])
      XCTAssertEqual(report.modelLoads, loads, "\(tier)")
      XCTAssertEqual(report.maxTokens, maxTokens, "\(tier)")
      // The conformance reports the load's end and the library's prompt count; MLX's peak is reset
      // through the pinned release's own call.
      XCTAssertEqual(report.scenarios[0].answers[0].footprintAfterLoad, 1_000_000_000)
      XCTAssertTrue(report.scenarios.flatMap(\.answers).allSatisfy { $0.promptTokens != nil })
      XCTAssertNotNil(report.scenarios[0].answers[0].mlxMemory)
      let resets = CallLog.shared.calls.filter {
        $0 == "GPU.resetPeakMemory()" || $0 == "Memory.peakMemory = 0"
      }
      XCTAssertFalse(resets.isEmpty)
      // Let the evaluator's handed-off clean-up finish before the next one (and the next test).
      try await Task.sleep(for: .milliseconds(50))
    }
  }

  /// Waits, without blocking the main actor, until `condition` holds or two seconds pass.
  @MainActor private func eventually(_ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(2)
    while !condition() && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(5))
    }
    return condition()
  }
}
