/**
 * The class-free integration, MemoryPolicy.swift: a Sendable value with the device's tier policy,
 * the call that applies its MLX limits, the monitor's pressure as a stream, and the release rules
 * that the evaluator extension decides with too. It needs the monitor, so it is written with an
 * `evaluator` section, as the monitor is; everything it prints is in the model already (`mlx`).
 */
import type { Policy } from '../policy/schema.js';

/** The file MemoryPolicy.swift, for an output list: one entry with an `evaluator` section, else none. */
export function memoryPolicyOutputs(policy: Pick<Policy, 'evaluator'>): { template: string; path: string }[] {
  return policy.evaluator ? [{ template: 'MemoryPolicy.swift', path: 'MemoryPolicy.swift' }] : [];
}
