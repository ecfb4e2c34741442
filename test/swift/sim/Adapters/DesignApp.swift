// The view around the design document's evaluator (test/fixtures/evaluator/ContentView*.swift),
// as that view drives it: one button that starts an answer (`startGeneration(prompt:image:)`) or
// stops it (`cancelGeneration()`), no launch preload and no memory-warning handler of its own. The
// same adapter serves the original class (SIM_MANAGED unset) and memtier's patch of it.

import CoreImage
import Foundation
import SimKernel

@MainActor
final class SimulatedDesignApp: SimulatedApp {
  private var model: VLMEvaluator?

  init(tier: String) {
    let model = VLMEvaluator()
    #if SIM_MANAGED
      model.memoryConfiguration = simulatedConfiguration(tier)
    #endif
    self.model = model
  }

  func launch() {}

  func ask(width: Int, height: Int) {
    model?.startGeneration(
      prompt: "What is in this picture?", image: simulatedPicture(width: width, height: height))
  }

  func stop() { model?.cancelGeneration() }

  var isBusy: Bool { model?.running ?? false }

  func memoryWarning() {
    #if SIM_MANAGED
      simulatedMonitor?.deliverMemoryWarning()
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
    return SimulatedDesignApp(tier: tier)
  }
}
