// The view around VLMEval's evaluator (the case with the shape of mlx-swift-examples 44b14cf,
// test/fixtures/shapes/vlmeval-44b14cf/), as that view drives it: `.task { _ = try? await
// evaluator.load() }` at launch; Ask runs `ask()`, which hands the picture over in a `Task` and
// calls `generate(image:videoURL:)` with the prompt field's text; Stop calls `cancelGeneration()`;
// no memory-warning handler of its own. SIM_FORK switches to the wank125 fork's view (the case at
// test/fixtures/shapes/wank125-c09ef38/): the same, its prompt field is `question`, its busy flag
// `isGenerating`, and it answers a memory warning with `llm.emergencyMemoryReset()`.

import CoreImage
import Foundation
import SimKernel

@MainActor
final class SimulatedVLMEvalApp: SimulatedApp {
  private var model: VLMEvaluator?

  init(tier: String) {
    let model = VLMEvaluator()
    #if SIM_MANAGED
      model.memoryConfiguration = simulatedConfiguration(tier)
    #endif
    self.model = model
  }

  func launch() {
    Task { [model] in _ = try? await model?.load() }
  }

  func ask(width: Int, height: Int) {
    guard let model else { return }
    let picture = simulatedPicture(width: width, height: height)
    #if SIM_FORK
      model.question = "What is in this picture?"
    #else
      model.prompt = "What is in this picture?"
    #endif
    Task { model.generate(image: picture, videoURL: nil) }
  }

  func stop() { model?.cancelGeneration() }

  var isBusy: Bool {
    #if SIM_FORK
      model?.isGenerating ?? false
    #else
      model?.busy ?? false
    #endif
  }

  func memoryWarning() {
    #if SIM_MANAGED
      simulatedMonitor?.deliverMemoryWarning()
    #endif
    #if SIM_FORK
      model?.emergencyMemoryReset()
    #endif
  }

  func systemPressure(_ events: Set<Level>) {
    #if SIM_MANAGED
      simulatedMonitor?.deliverSystemPressure(events)
    #endif
  }

  func lifecycle(_ state: Lifecycle) {
    #if SIM_MANAGED
      simulatedMonitor?.deliverLifecycle(state)
    #endif
  }

  var monitorPressure: Level? {
    #if SIM_MANAGED
      simulatedMonitor?.simulatedLevel
    #else
      nil
    #endif
  }

  var holdsModel: Bool {
    guard let model, case .loaded = model.loadState else { return false }
    return true
  }

  var evaluator: AnyObject? { model }

  func tearDown() {
    #if SIM_MANAGED
      simulatedMonitor?.stopMonitoring()
    #endif
    model = nil
  }
}

/// This module's app, for the simulation's runner.
public enum SimApp {
  public static let factory = AppFactory(name: simulatedAppName, managed: simulatedAppIsManaged) {
    phone, tier in
    #if SIM_MANAGED
      _ = makeSimulatedMonitor()
    #endif
    return SimulatedVLMEvalApp(tier: tier)
  }
}
