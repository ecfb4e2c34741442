// Behaviour of the generated on-device stress runner (MemoryStressTest.swift), driven on Linux by a
// scripted evaluator whose footprint and token stream the tests set, and by the patched evaluator
// itself against the recording stand-ins.

import CoreImage
import Foundation
import MLXLMCommon
import XCTest

@testable import VLMEval

/// A footprint the tests set and the runner's `measure` reads, from any thread.
final class ScriptedFootprint: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes: UInt64 = 100 * 1_048_576

  var value: UInt64 {
    get { lock.withLock { bytes } }
    set { lock.withLock { bytes = newValue } }
  }

  /// A measurement of a process with a 4 GiB limit.
  func usage() -> MemoryUsage {
    let footprint = value
    return MemoryUsage(footprint: footprint, available: 4_294_967_296 - footprint)
  }
}

/// An evaluator that follows a script: each answer waits, sets the footprint, blocks the main
/// actor if asked, and sends a chunk, step by step.
@MainActor
final class ScriptedSubject: MemoryStressSubject {
  struct Step {
    var wait: Duration = .milliseconds(5)
    var footprintMiB: UInt64?
    var blockMainActor: TimeInterval = 0
    var text: String? = "word "
  }

  var steps: [Step] = Array(repeating: Step(), count: 4)
  var tokensPerAnswer = 4
  var unloadsAfterEachAnswer = false
  let footprint = ScriptedFootprint()
  private(set) var loaded = true

  var isModelLoadedForStressTest: Bool { loaded }

  func unloadModelForStressTest() {
    loaded = false
  }

  func answerForStressTest(
    prompt: String, image: CIImage, onChunk: @escaping @MainActor @Sendable (String) -> Void
  ) async throws -> Int {
    loaded = true
    for step in steps {
      try await Task.sleep(for: step.wait)
      if let mebibytes = step.footprintMiB { footprint.value = mebibytes * 1_048_576 }
      // The fault under test: the main actor blocked, as Thread.sleep in the app blocked it.
      if step.blockMainActor > 0 { block(for: step.blockMainActor) }
      if let text = step.text { onChunk(text) }
    }
    return tokensPerAnswer
  }

  func finishAnswerForStressTest() {
    if unloadsAfterEachAnswer { loaded = false }
  }

  /// Blocks the calling thread (Swift refuses Thread.sleep in an async function, rightly).
  private func block(for seconds: TimeInterval) {
    Thread.sleep(forTimeInterval: seconds)
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
    _ subject: ScriptedSubject, budget: PerformanceBudget?, plan: MemoryStressPlan? = nil
  ) async throws -> MemoryStressReport {
    let footprint = subject.footprint
    let runner = MemoryStressRunner(
      subject: subject, tier: .standard, budget: budget, estimatedPeak: 3000 * 1_048_576,
      measure: { footprint.usage() }, device: "iPhone14,5")
    return try await runner.run(plan ?? self.plan())
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

  func testThePlanReadsItsEnvironment() {
    let plan = MemoryStressPlan.fromEnvironment([
      "MEMTIER_STRESS_MINUTES": "30", "MEMTIER_STRESS_ANSWERS": "20",
    ])
    XCTAssertEqual(plan.longRun, .seconds(1800))
    XCTAssertEqual(plan.answersInARow, 20)
    XCTAssertEqual(MemoryStressPlan.fromEnvironment([:]).longRun, .seconds(60))
    XCTAssertEqual(MemoryStressPlan.fromEnvironment(["MEMTIER_STRESS_MINUTES": "soon"]).longRun, .seconds(60))
  }

  /// Writes a report for the TypeScript side to check against docs/stress-report.schema.json.
  @MainActor
  func testTheReportIsJSONThatDecodesToItself() async throws {
    let subject = ScriptedSubject()
    subject.steps = [.init(footprintMiB: 3600), .init(blockMainActor: 0.15), .init()]
    let budget = PerformanceBudget(
      peakFootprint: 2_621_440_000, minTokensPerSecond: 15, maxSecondsToFirstToken: 2,
      maxSecondsPerAnswer: nil, maxMainActorStallSeconds: 0.1)
    let report = try await run(subject, budget: budget)
    let json = try report.json()
    XCTAssertEqual(try JSONDecoder().decode(MemoryStressReport.self, from: json), report)
    let text = try XCTUnwrap(String(data: json, encoding: .utf8))
    XCTAssertTrue(text.contains("\"format\" : \"memtier-stress-report\\/1\""), text)
    // test/swift/package.test.ts reads it from the package's folder (the working folder).
    let path = FileManager.default.currentDirectoryPath + "/stress-report.json"
    try json.write(to: URL(fileURLWithPath: path))
  }

  /// The runner drives the patched app's own evaluator, unchanged, through the generated conformance.
  @MainActor
  func testTheRunnerDrivesThePatchedEvaluator() async throws {
    for (tier, loads) in [(DeviceMemoryTier.standard, 1), (.ultraLow, 3)] {
      let evaluator = VLMEvaluator()
      evaluator.memoryConfiguration = .forTier(tier)
      let runner = MemoryStressRunner(
        subject: evaluator, tier: tier, budget: .forTier(tier),
        measure: { MemoryUsage(footprint: 1_000_000_000, available: 2_000_000_000) })
      let report = try await runner.run(plan())
      XCTAssertEqual(report.tier, tier.rawValue)
      // The stand-in generation answers with one chunk and 3 tokens.
      XCTAssertEqual(report.scenarios.flatMap(\.answers).map(\.tokens), [3, 3, 3], "\(tier)")
      XCTAssertEqual(report.modelLoads, loads, "\(tier)")
      // Let the evaluator's handed-off clean-up finish before the next one (and the next test).
      try await Task.sleep(for: .milliseconds(50))
    }
  }
}
