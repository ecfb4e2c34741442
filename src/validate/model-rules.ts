/**
 * The memory estimate as validation rules: a model section that cannot be estimated is an error, an
 * image smaller than one patch is an error, an estimate over a ceiling is a warning, and one that is
 * tight (under 10% left) or held back by the tier's own limit while a device has room is a note.
 */
import { heldBackOn, limitAboveApp, standing, tierFits, type FitDevice, type TierFit } from '../devices/fit.js';
import { resolveModel, type ResolvedModel } from '../devices/models.js';
import type { TierEstimate } from '../policy/memory-estimate.js';
import type { Policy } from '../policy/schema.js';
import { formatSize, formatSizeApprox } from '../policy/sizes.js';
import type { Report } from './tier-rules.js';

/** The estimate's terms in words: "weights 967 MiB + KV cache 84 MiB (2144 tokens) + ...". */
export function estimateTerms(estimate: TierEstimate): string {
  return `weights ${formatSizeApprox(estimate.weights)} + KV cache ${formatSizeApprox(estimate.kvCache)} (${estimate.tokens.total} tokens) + cacheLimit ${formatSize(estimate.cacheLimit)} + activations ${formatSizeApprox(estimate.activations)}`;
}

/** Checks the model section and every tier's fit; `file` names the policy in value sources. */
export function checkModelFit(policy: Policy, report: Report, devices: readonly FitDevice[], file: string): void {
  if (policy.model === undefined) return;
  const resolved = resolveModel(policy.model, file);
  if ('problem' in resolved) {
    report('error', resolved.problem.key ? ['model', resolved.problem.key] : ['model'], resolved.problem.message);
    return;
  }
  const model = resolved.model;
  let tooSmall = false;
  policy.tiers.forEach((tier, index) => {
    if (tier.imageSize >= model.numbers.patchSize) return;
    tooSmall = true;
    report('error', ['tiers', index, 'imageSize'], `${tier.imageSize} px is smaller than one ${model.numbers.patchSize}-pixel patch of ${model.name}'s vision encoder: such an image has nothing to encode`);
  });
  if (tooSmall) return;
  for (const fit of tierFits(policy, model, devices)) checkTier(fit, model, report);
}

function checkTier(fit: TierFit, model: ResolvedModel, report: Report): void {
  const estimate = `the estimated peak for ${model.name}, ${formatSizeApprox(fit.estimate.total)} (${estimateTerms(fit.estimate)})`;
  // A device with room while the tier's own limit is over or tight: the limit holds the tier back.
  const roomy = fit.devices.find((device) => heldBackOn(fit, device));
  const limit = fit.memoryLimit;
  if (limit && standing(limit) === 'over') {
    report('warning', ['tiers', fit.index, 'memoryLimit'], `${estimate}, is over memoryLimit ${formatSize(limit.bytes)}: past it MLX frees its cache and waits for GPU work before allocating, so answers stall (memtier budget shows the terms)`);
  }
  if (limit && roomy?.appLimit) {
    report('note', ['tiers', fit.index, 'memoryLimit'], `needlessly small: ${estimate}, leaves ${limit.headroom.percent.toFixed(1)}% of memoryLimit ${formatSize(limit.bytes)}, while ${roomy.name} lets the app use ${formatSize(roomy.appLimit.bytes)} (${roomy.appLimit.headroom.percent.toFixed(0)}% above the estimate): the tier's limit, not the device, is what is short`);
  } else if (limit && standing(limit) === 'tight') {
    report('note', ['tiers', fit.index, 'memoryLimit'], `${estimate}, leaves only ${limit.headroom.percent.toFixed(1)}% of memoryLimit ${formatSize(limit.bytes)}`);
  }
  for (const device of fit.devices) {
    const app = device.appLimit;
    if (!app) continue;
    const ceiling = `${device.name}'s app memory limit, ${formatSize(app.bytes)} (${app.entitlement ? 'with' : 'without'} the increased-memory-limit entitlement; measured in ${app.source})`;
    if (standing(app) === 'over') {
      report('warning', ['tiers', fit.index], `${estimate}, is over ${ceiling}: iOS ends the app there`);
    } else if (standing(app) === 'tight') {
      report('note', ['tiers', fit.index], `${estimate}, leaves only ${app.headroom.percent.toFixed(1)}% of ${ceiling}`);
    }
    if (limit && limitAboveApp(fit, device)) {
      report('warning', ['tiers', fit.index, 'memoryLimit'], `${formatSize(limit.bytes)} is above ${ceiling}: MLX's limit never acts there, because iOS ends the app first`);
    }
  }
}
