/**
 * The memory estimate as validation rules: a model section that cannot be estimated is an error, an
 * image smaller than one patch is an error, an estimate over a ceiling is a warning, and one that is
 * tight (under 10% left) or held back by the tier's own limit while a device has room is a note.
 * Only the devices the app can be installed on count (catalog-rules.ts chooses them), and a tier
 * that holds none of them gets no finding about its limits: they never apply.
 */
import type { DeploymentTarget } from '../devices/deployment-target.js';
import { heldBackOn, limitAboveApp, standing, tierFits, type FitDevice, type TierFit } from '../devices/fit.js';
import { resolveModel, type ResolvedModel } from '../devices/models.js';
import type { Policy } from '../policy/schema.js';
import { formatSize, formatSizeApprox } from '../policy/sizes.js';
import type { Report } from './tier-rules.js';

/** What the fit is checked against: the devices the app can be installed on, and the tiers none of them lands in. */
export interface FitScope {
  /** Names the policy in value sources. */
  file: string;
  devices: readonly FitDevice[];
  target?: DeploymentTarget;
  /** Indexes of the tiers that hold catalog devices, none of which can install the app. */
  deadTiers: ReadonlySet<number>;
}

/** Checks the model section and every tier's fit. */
export function checkModelFit(policy: Policy, report: Report, scope: FitScope): void {
  const file = scope.file;
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
  for (const fit of tierFits(policy, model, scope.devices, scope.target)) {
    if (!scope.deadTiers.has(fit.index)) checkTier(fit, model, report, policy.pressure.criticalPercent);
  }
}

/** A device name as part of an id: "iPhone 12 mini" -> "iphone-12-mini". */
export function idSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * One tier's findings, each short enough for Xcode's issue navigator: the figures that matter and
 * where the rest is (`memtier explain`, which prints the estimate term by term and each ceiling's
 * source). Each has an id, so that a team can acknowledge it in the policy.
 */
function checkTier(fit: TierFit, model: ResolvedModel, report: Report, criticalPercent: number): void {
  const tier = fit.name;
  const peak = `estimated peak ${formatSizeApprox(fit.estimate.total)}`;
  const explainTier = `see \`memtier explain ${tier}\``;
  // A device with room while the tier's own limit is over or tight: the limit holds the tier back.
  const roomy = fit.devices.find((device) => heldBackOn(fit, device));
  const limit = fit.memoryLimit;
  const limitPath = ['tiers', fit.index, 'memoryLimit'];
  if (limit && standing(limit) === 'over') {
    report('warning', limitPath, `${peak} is over this limit, ${formatSize(limit.bytes)}, so MLX stalls answers to stay under it; ${explainTier}`, { id: `estimate-over-memory-limit:${tier}` });
  }
  if (limit && roomy?.appLimit) {
    report('note', limitPath, `needlessly small: ${peak} leaves ${limit.headroom.percent.toFixed(1)}% of this limit, while ${roomy.name} lets an app use ${formatSize(roomy.appLimit.bytes)}, ${roomy.appLimit.headroom.percent.toFixed(0)}% more than the estimate; ${explainTier}`, { id: `needlessly-small:${tier}` });
  } else if (limit && standing(limit) === 'tight') {
    report('note', limitPath, `${peak} leaves only ${limit.headroom.percent.toFixed(1)}% of this limit, ${formatSize(limit.bytes)}; ${explainTier}`, { id: `little-headroom:${tier}` });
  }
  for (const device of fit.devices) {
    const app = device.appLimit;
    if (!app) continue;
    const ceiling = `the ${formatSize(app.bytes)} ${device.name} lets an app use${app.os ? ` on ${app.os}` : ''}`;
    const explainDevice = `see \`memtier explain "${device.name}"\``;
    // The share of the app's limit the estimate uses: from criticalPercent on, the generated monitor
    // calls an emergency during every answer, which stops it (a fit on paper, no answer in use).
    const share = Number((fit.estimate.total * 10_000n) / app.bytes) / 100;
    if (standing(app) === 'over') {
      report('warning', ['tiers', fit.index], `${peak} of ${model.name} is over ${ceiling}, so iOS ends the app; ${explainDevice}`, { id: `estimate-over-app-limit:${tier}:${idSlug(device.name)}` });
    } else if (share >= criticalPercent) {
      report('warning', ['tiers', fit.index], `${peak} is ${share.toFixed(0)}% of ${ceiling}, above criticalPercent (${criticalPercent}), so the monitor stops every answer there; ${explainDevice}`, { id: `estimate-over-critical-pressure:${tier}:${idSlug(device.name)}` });
    } else if (standing(app) === 'tight') {
      report('note', ['tiers', fit.index], `${peak} leaves only ${app.headroom.percent.toFixed(1)}% of ${ceiling}; ${explainDevice}`, { id: `little-headroom:${tier}:${idSlug(device.name)}` });
    }
    if (limit && limitAboveApp(fit, device)) {
      report('warning', limitPath, `${formatSize(limit.bytes)} is above ${ceiling}, so iOS ends the app before this limit acts; ${explainDevice}`, { id: `memory-limit-above-app-limit:${tier}:${idSlug(device.name)}` });
    }
  }
}
