/**
 * The names memtier's generated Swift declares, for the rules that must avoid or replace them:
 * tier names may not collide with `DeviceMemoryTier`'s members, and `memtier patch` removes the
 * hand-written members the evaluator extension replaces and refuses a class that already declares
 * one the extension adds. The templates declare these; test/templates.test.ts parses the rendered
 * Swift and fails when a template and these lists disagree.
 */

/** The evaluator class the generated extension extends when the policy names none (`evaluator.className`). */
export const DEFAULT_EVALUATOR_CLASS = 'VLMEvaluator';

/**
 * Types the generated files declare at the top level (the app's files, and the two of the stress
 * test that the evaluator's conformance names): the app's evaluator class may not take one of
 * these names (`evaluator.className`).
 */
export const GENERATED_TYPE_NAMES: readonly string[] = [
  'ApplicationState', 'DeviceMemoryTier', 'MemoryConfiguration', 'MemoryPolicy', 'MemoryPolicyError', 'MemoryPolicyEvaluator', 'MemoryPolicyState',
  'MemoryPressure', 'MemoryPressureMonitor', 'MemoryRelease', 'MemoryStressRunner', 'MemoryStressSubject', 'MemoryUsage', 'MonitorRegistration',
  'PerformanceBudget', 'PressureRelay',
];

/** Members of the generated `DeviceMemoryTier`, including those Swift synthesises for a `String`, `CaseIterable` enum. */
export const DEVICE_MEMORY_TIER_MEMBERS: readonly string[] = ['allCases', 'current', 'hashValue', 'physicalMemoryUpperBound', 'rawValue', 'sortIndex'];

/** Members of the generated extension of the evaluator class that take the place of hand-written ones: patch removes those. */
export const REPLACED_EVALUATOR_MEMBERS: readonly string[] = ['emergencyMemoryReset', 'generateParameters', 'handleMemoryEmergency', 'unloadModel'];

/** Members the generated extension of the evaluator class adds (its `private` helpers aside): a hand-written one would clash. */
export const ADDED_EVALUATOR_MEMBERS: readonly string[] = [
  'applyImageSize', 'applyMemoryLimits', 'clearCacheInBackground', 'clearCacheTakesLock', 'downscaled', 'loadModelOnce',
  'releaseMemory', 'releaseMemoryAfterCancel', 'releaseModelAfterGeneration', 'releaseOtherEvaluators', 'requireForeground',
  'shouldKeepModelLoaded', 'startGenerationTask', 'startMemoryMonitoring',
];
