// The simulated iPhone's runner: reads the world's input and a list of runs, runs them one after
// another on the main thread, and prints one JSON line per run (then a summary line).
//
//   SimRunner INPUT.json SPECS.json [--trace] [--shrink] [--twice]
//
// SPECS.json holds an array of RunSpec (see Kernel/Simulation.swift). --trace adds each run's
// trace; --shrink shrinks a run that breaks an invariant to the shortest list of actions found
// that still breaks it and prints that run (with its trace); --twice runs every spec twice and
// reports a run whose two traces differ (the simulation must be a pure function of its spec).

import Foundation
import SimKernel


let arguments = CommandLine.arguments.dropFirst()
let paths = arguments.filter { !$0.hasPrefix("--") }
let flags = Set(arguments.filter { $0.hasPrefix("--") })
guard paths.count == 2 else {
  FileHandle.standardError.write("usage: SimRunner INPUT.json SPECS.json [--trace] [--shrink] [--twice]\n".data(using: .utf8)!)
  exit(2)
}

let input: WorldInput
let specs: [RunSpec]
do {
  input = try WorldInput.load(path: paths[paths.startIndex])
  specs = try JSONDecoder().decode([RunSpec].self, from: Data(contentsOf: URL(fileURLWithPath: paths[paths.startIndex + 1])))
} catch {
  FileHandle.standardError.write("cannot read the runner's input: \(error)\n".data(using: .utf8)!)
  exit(2)
}

let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys]

func emit<T: Encodable>(_ value: T) {
  guard let data = try? encoder.encode(value), let line = String(data: data, encoding: .utf8) else { return }
  print(line)
}

struct Summary: Encodable {
  let summary = true
  var runs = 0
  var steps = 0
  var invariantChecks = 0
  var violations = 0
  var nondeterministic = 0
  var leftovers = 0
  var wallSeconds = 0.0
}

struct Shrunk: Encodable {
  let shrunk = true
  let original: RunSpec
  let spec: RunSpec
  let result: RunResult?
  let runs: Int
}

struct Mismatch: Encodable {
  let nondeterministic = true
  let spec: RunSpec
  let first: [String]
  let second: [String]
}

MainActor.assumeIsolated {
  var summary = Summary()
  let started = Date()
  for spec in specs {
    guard let factory = simulatedApps.first(where: { $0.name == spec.app }) else {
      FileHandle.standardError.write("no app \(spec.app) in this runner\n".data(using: .utf8)!)
      exit(2)
    }
    let keepTrace = flags.contains("--trace")
    let result = Simulation.run(spec, input: input, factory: factory, keepTrace: keepTrace || flags.contains("--twice"))
    summary.runs += 1
    summary.steps += result.steps
    summary.invariantChecks += result.invariantChecks
    if let leftover = result.leftover {
      summary.leftovers += 1
      // Tasks that never end would run on in the next run: the batch cannot go on.
      if leftover.hasPrefix("tasks still running") {
        emit(result)
        FileHandle.standardError.write("run \(spec.seed) on \(spec.device) left work behind: \(leftover)\n".data(using: .utf8)!)
        exit(3)
      }
    }
    var printed = result
    if !keepTrace { printed.trace = nil }
    emit(printed)
    if flags.contains("--twice") {
      let again = Simulation.run(spec, input: input, factory: factory, keepTrace: true)
      if again.traceDigest != result.traceDigest {
        summary.nondeterministic += 1
        emit(Mismatch(spec: spec, first: result.trace ?? [], second: again.trace ?? []))
      }
    }
    if let violation = result.violation {
      summary.violations += 1
      if flags.contains("--shrink") {
        var full = spec
        full.events = spec.script()
        let shrunk = Shrinker.shrink(full, invariant: violation.invariant) { trial in
          Simulation.run(trial, input: input, factory: factory)
        }
        let replay = Simulation.run(shrunk.spec, input: input, factory: factory, keepTrace: true)
        emit(Shrunk(original: spec, spec: shrunk.spec, result: replay, runs: shrunk.runs))
      }
    }
  }
  summary.wallSeconds = Date().timeIntervalSince(started)
  emit(summary)
}
