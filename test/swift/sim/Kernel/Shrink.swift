// Shrinking a failing run to a short one, as Hypothesis and QuickCheck shrink inputs and
// TigerBeetle's VOPR replays a smaller failing seed: drop actions while the same invariant still
// breaks.

/// Finds a shorter list of actions that still breaks the same invariant.
public enum Shrinker {
  /// Drops actions one at a time (the launch stays), first from the end, keeping each removal
  /// after which `run` still breaks `invariant`; repeats until no single removal does. At most
  /// `budget` runs.
  @MainActor
  public static func shrink(
    _ spec: RunSpec, invariant: String, budget: Int = 300, run: (RunSpec) -> RunResult
  ) -> (spec: RunSpec, result: RunResult?, runs: Int) {
    var events = spec.script()
    var best: RunResult?
    var runs = 0
    var changed = true
    while changed && runs < budget {
      changed = false
      var index = events.count - 1
      while index >= 1 && runs < budget {
        var candidate = events
        candidate.remove(at: index)
        var trial = spec
        trial.events = candidate
        let result = run(trial)
        runs += 1
        if result.violation?.invariant == invariant {
          events = candidate
          best = result
          changed = true
        }
        index -= 1
      }
    }
    var shrunk = spec
    shrunk.events = events
    return (shrunk, best, runs)
  }
}
