/**
 * `memtier budget`: will each tier fit the model on each catalog device? The estimate term by term,
 * each model value with its source, and every tier x device row with its two ceilings (the tier's
 * memoryLimit, the app memory limit measured on the device) and the headroom under each.
 * Pure: a validated policy in, tables and JSON out.
 */
import type { Device } from '../devices/catalog.js';
import { catalogScope, type DeviceScope } from '../devices/deployment-target.js';
import { heldBackOn, limitAboveApp, standing, tierFits, type DeviceFit, type TierFit } from '../devices/fit.js';
import { classify } from '../policy/classify.js';
import { measuredRunDate, measuredRunInWords, resolveModel, type ResolvedModel } from '../devices/models.js';
import { TIGHT_PERCENT, type TierEstimate } from '../policy/memory-estimate.js';
import type { Policy } from '../policy/schema.js';
import { formatSize, formatSizeApprox } from '../policy/sizes.js';
import type { Table } from './table.js';

/** The budget of a policy: its model, each tier's fit on the devices the app can be installed on, and the devices left out. */
export interface Budget {
  model: ResolvedModel;
  entitlement: boolean;
  tiers: TierFit[];
  scope: DeviceScope;
  /** The devices left out, each with the index of the tier it would land in. */
  leftOut: { device: Device; tierIndex: number }[];
}

/** The budget, or why there is none (no model section, or one that cannot be estimated). */
export function budgetOf(policy: Policy, sourceName: string, scope: DeviceScope = catalogScope()): Budget | { error: string } {
  if (policy.model === undefined) {
    return { error: `${sourceName} names no model; add one, such as "model: SmolVLM2-500M-Video-Instruct-mlx" (see memtier budget --help)` };
  }
  const resolved = resolveModel(policy.model, sourceName);
  if ('problem' in resolved) return { error: `${sourceName}: model: ${resolved.problem.message}` };
  return {
    model: resolved.model,
    entitlement: policy.app.increasedMemoryLimit,
    tiers: tierFits(policy, resolved.model, scope.devices, scope.target),
    scope,
    leftOut: scope.leftOut.map((device) => ({ device, tierIndex: classify(policy.tiers, device.reported).index })),
  };
}

/** What a tier x device row comes to, in a few words. */
export function verdicts(fit: TierFit, device?: DeviceFit): string[] {
  const words: string[] = [];
  const limit = fit.memoryLimit;
  const app = device?.appLimit;
  if (limit && standing(limit) === 'over') words.push('over memoryLimit: stalls');
  if (app && standing(app) === 'over') words.push('over the app limit: iOS ends the app');
  if (device && limitAboveApp(fit, device)) words.push('memoryLimit above the app limit');
  if (device && heldBackOn(fit, device)) words.push('needlessly small: memoryLimit is short, the device is not');
  else if ((limit && standing(limit) === 'tight') || (app && standing(app) === 'tight')) words.push(`tight: under ${TIGHT_PERCENT}% left`);
  if (words.length === 0) {
    if (app) words.push('fits');
    else if (device) words.push(limit ? 'fits memoryLimit; app limit not published' : 'no ceiling known (no memoryLimit, app limit not published)');
    else words.push(limit ? 'fits memoryLimit' : 'no memoryLimit (MLX default)');
  }
  return words;
}

/** A ceiling and what the estimate leaves under it, as two cells: ["2500 MiB", "729.22 MiB (29.2%)"]. */
export function headroomText(ceiling: { bytes: bigint; headroom: { bytes: bigint; percent: number } } | undefined): [string, string] {
  if (!ceiling) return ['none (MLX default)', ''];
  const sign = ceiling.headroom.bytes < 0n ? '-' : '';
  const size = ceiling.headroom.bytes < 0n ? -ceiling.headroom.bytes : ceiling.headroom.bytes;
  return [formatSize(ceiling.bytes), `${sign}${formatSizeApprox(size)} (${ceiling.headroom.percent.toFixed(1)}%)`];
}

/** Each tier's estimate, term by term. */
export function estimateTable(budget: Budget): Table {
  return {
    headers: ['Tier', 'Estimate', 'Weights', 'KV cache', 'KV tokens (answer + prompt + image + layout, in 256-token steps)', 'Image', 'cacheLimit', 'Activations', 'memoryLimit', 'Headroom', 'Measured peak + cacheLimit'],
    rows: budget.tiers.map((fit) => {
      const e = fit.estimate;
      const [limit, room] = headroomText(fit.memoryLimit);
      const peak = e.measured?.tier ? e.measured.tier.peak + e.cacheLimit : undefined;
      return [
        fit.name, formatSizeApprox(e.total), formatSizeApprox(e.weights), formatSizeApprox(e.kvCache),
        `${e.tokens.cached} (${tokenSum(e)})`, imageInWords(e),
        formatSize(e.cacheLimit), `${formatSizeApprox(e.activations)} (${e.measured ? 'measured' : 'estimated'})`, limit, room,
        peak === undefined ? 'not measured' : formatSizeApprox(peak),
      ];
    }),
  };
}

/** "1684 = 300 + 256 + 1088 + 40": the tokens of an answer, before KVCacheSimple's steps. */
export function tokenSum(e: TierEstimate): string {
  return `${e.tokens.total} = ${e.tokens.answer} + ${e.tokens.prompt} + ${e.tokens.image}${e.tokens.layout > 0 ? ` + ${e.tokens.layout}` : ''}`;
}

/** "2048 px: 4x4 tiles + 1", or "one 384 px picture" for a processor that does not tile. */
export function imageInWords(e: TierEstimate): string {
  if (e.image.layout === 0 && e.image.pictures === 1) return `one ${e.image.edge} px picture`;
  return `${e.image.edge} px: ${e.image.tilesPerSide}x${e.image.tilesPerSide} tiles + 1`;
}

/**
 * Which of the estimate's figures are measured and which estimated, tier by tier (tiers that share
 * a measurement in one line): the measurement named by model, release, image shape and run.
 */
export function measurementLines(budget: Budget): string[] {
  const groups = new Map<string, string[]>();
  for (const fit of budget.tiers) {
    const m = fit.estimate.measured;
    const key = m
      ? `measured: activations ${formatSizeApprox(fit.estimate.activations)} (${stagesInWords(m.shape)}), from ${measurementInWords(m.shape)}; there the weights were ${formatSizeApprox(m.shape.weights)} (the estimate's ${percentOff(fit.estimate.weights, m.shape.weights)}) and the KV cache ${m.tier ? (m.tier.kvCache === fit.estimate.kvCache ? 'as estimated' : `${formatSizeApprox(m.tier.kvCache)} (the estimate's ${percentOff(fit.estimate.kvCache, m.tier.kvCache)})`) : 'not measured at this maxTokens'}`
      : `estimated: activations ${formatSizeApprox(fit.estimate.activations)} (${budget.model.sources.activations.source}); no measurement of ${budget.model.name} at this image (${imageInWords(fit.estimate)}, mlx-swift-lm ${fit.estimate.release === '2.29.2' ? 'before 3.31.4' : '3.31.4 and later'})`;
    groups.set(key, [...(groups.get(key) ?? []), fit.name]);
  }
  return [...groups].map(([words, tiers]) => `${tiers.join(', ')}: ${words}.`);
}

const STAGE_WORDS = { vision: 'in the vision encoding', prefill: 'in the prefill', decode: 'at the end of decoding' } as const;

/** "vision 725.41 MiB, above prefill 199.52 MiB, + 0.57 MiB a decoding step". */
function stagesInWords(shape: NonNullable<TierEstimate['measured']>['shape']): string {
  const [larger, smaller] = shape.vision >= shape.prefill ? [['vision', shape.vision], ['prefill', shape.prefill]] as const : [['prefill', shape.prefill], ['vision', shape.vision]] as const;
  return `${larger[0]} ${formatSizeApprox(larger[1])}, above ${smaller[0]} ${formatSizeApprox(smaller[1] > 0n ? smaller[1] : 0n)}, + ${formatSizeApprox(shape.decodeStep)} a decoding step`;
}

/** How far an estimated figure is from the measured one: "-0.1%". */
function percentOff(estimate: bigint, measured: bigint): string {
  const percent = (Number(estimate - measured) / Number(measured)) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

/** "mlx-swift-lm 2.29.2 (for releases before 3.31.4)": a measured release and the releases it stands for. */
function measuredReleaseInWords(release: TierEstimate['release']): string {
  return `mlx-swift-lm ${release} (for ${release === '2.29.2' ? 'releases before 3.31.4' : '3.31.4 and later'})`;
}

/** The measurement in words: model, release, image shape, run and date. */
export function measurementInWords(shape: NonNullable<TierEstimate['measured']>['shape']): string {
  const release = measuredReleaseInWords(shape.release);
  const vision = shape.visionRun !== undefined ? `; vision from ${shape.visionSource}, ${measuredRunInWords(shape.visionRun)}` : '';
  return `${shape.model}, ${release}, ${shape.shape}: the real MLX on a CPU, Metal equivalent (${measuredRunInWords(shape.run)}${vision}; tools/measure/REPORT.md)`;
}

/** Every tier x catalog device: the estimate against both ceilings. */
export function deviceTable(budget: Budget): Table {
  return {
    headers: ['Tier', 'Device', 'Estimate', 'memoryLimit', 'Headroom', 'App limit', 'Headroom', 'Verdict'],
    rows: budget.tiers.flatMap((fit) => fit.devices.map((device) => {
      const [limit, room] = headroomText(fit.memoryLimit);
      const [app, appRoom] = device.appLimit ? headroomText(device.appLimit) : ['not published', ''];
      return [fit.name, device.name, formatSizeApprox(fit.estimate.total), limit, room, app, appRoom, verdicts(fit, device).join('; ')];
    })),
  };
}

/** The model's values with their sources. */
export function modelLines(model: ResolvedModel): string[] {
  const n = model.numbers;
  const s = model.sources;
  const line = (label: string, value: string, source: { kind: string; source: string }) => `  ${label.padEnd(18)} ${value.padEnd(12)} ${source.kind}: ${source.source}`;
  return [
    `Model: ${model.name}${model.catalog ? ` (${model.catalog.id}${model.catalog.registry ? `; ${model.catalog.registry}` : ''})` : ''}`,
    line('weights', formatSizeApprox(n.weights), s.weights),
    line('KV cache / token', formatSize(n.kvBytesPerToken), s.kvBytesPerToken),
    line('  layers', String(n.layers), s.layers),
    line('  kvHeads', String(n.kvHeads), s.kvHeads),
    line('  headDim', String(n.headDim), s.headDim),
    line('  kvBytesPerValue', String(n.kvBytesPerValue), s.kvBytesPerValue),
    line('patchSize', `${n.patchSize} px`, s.patchSize),
    line('tileSize', `${n.tileSize} px`, s.tileSize),
    line('tokensPerTile', String(n.tokensPerTile), s.tokensPerTile),
    line('longestEdge', `${n.longestEdge} px`, s.longestEdge),
    line('upscalesImages', n.upscalesImages ? 'yes' : 'no', s.upscalesImages),
    line('promptTokens', String(n.promptTokens), s.promptTokens),
    line('activations', formatSizeApprox(n.activations), s.activations),
    ...(n.measured ? [line('measured', 'activations', { kind: 'measured', source: `for each tier whose image shape was measured, with the real MLX (tools/measure/REPORT.md): ${[...new Set(n.measured.map((shape) => `mlx-swift-lm ${shape.release}: ${shape.shape}`))].join('; ')}` })] : []),
  ];
}

/** The app limits' sources, one line per source, naming the devices in the table it is measured on. */
export function appLimitSources(budget: Budget): string[] {
  const bySource = new Map<string, string[]>();
  for (const fit of budget.tiers) {
    for (const device of fit.devices) if (device.appLimit) bySource.set(device.appLimit.source, [...(bySource.get(device.appLimit.source) ?? []), device.name]);
  }
  return [
    `App memory limits ${budget.entitlement ? 'with' : 'without'} the increased-memory-limit entitlement (app.increasedMemoryLimit: ${budget.entitlement}); Apple publishes none, these are third-party measurements of os_proc_available_memory():`,
    ...[...bySource].map(([source, names]) => `  ${names.join(', ')}: ${source}`),
  ];
}

/** The estimate of one tier, term by term, for `explain`. */
export function estimateBreakdown(model: ResolvedModel, estimate: TierEstimate): string[] {
  const n = model.numbers;
  const m = estimate.measured;
  const t = estimate.tokens;
  const image = estimate.image.layout === 0 && estimate.image.pictures === 1
    ? `${t.image} for the image (the processor does not tile)`
    : `image ${t.image}: ${estimate.image.edge} px in ${estimate.image.tilesPerSide}x${estimate.image.tilesPerSide} tiles of ${n.tileSize} px + a global image, ${n.tokensPerTile} tokens each, + layout ${t.layout}`;
  const kvMeasured = m?.tier ? `; measured ${formatSizeApprox(m.tier.kvCache)}` : '';
  return [
    `  weights       ${formatSizeApprox(estimate.weights)} (estimated: ${model.sources.weights.kind === 'estimated' ? 'the parameter count' : model.sources.weights.source}${m ? `; measured ${formatSizeApprox(m.shape.weights)}` : ''})`,
    `+ KV cache      ${formatSizeApprox(estimate.kvCache)} = ${formatSize(n.kvBytesPerToken)} x ${t.cached} tokens (maxTokens ${t.answer} + prompt ${t.prompt} + ${image} = ${t.total}, in KVCacheSimple's 256-token steps${kvMeasured})`,
    `+ cacheLimit    ${formatSize(estimate.cacheLimit)}`,
    m
      ? `+ activations   ${formatSizeApprox(estimate.activations)} (measured: ${stagesInWords(m.shape)})`
      : `+ activations   ${formatSizeApprox(estimate.activations)} (estimated: ${model.sources.activations.source})`,
    `= ${formatSizeApprox(estimate.total)}${m?.tier ? `; measured peak ${formatSizeApprox(m.tier.peak + estimate.cacheLimit)} (MLX's ${formatSizeApprox(m.tier.peak)}, ${STAGE_WORDS[m.tier.peakStage]}, + cacheLimit)` : ''}`,
    ...(m ? [`  measured: ${m.shape.model}, ${measuredReleaseInWords(m.shape.release)}, ${m.shape.shape}, on ${measuredRunDate(m.shape.run)}: the real MLX on a CPU, Metal equivalent (tools/measure/REPORT.md)`] : []),
  ];
}

/** The budget as stable JSON (`version` changes if the shape does). */
export function budgetJson(budget: Budget): string {
  const numbers = Object.fromEntries(Object.entries(budget.model.numbers).filter(([key]) => key !== 'measured').map(([key, value]) => [key, typeof value === 'bigint' ? Number(value) : value]));
  return `${JSON.stringify({
    version: 1,
    model: { name: budget.model.name, id: budget.model.catalog?.id ?? null, numbers, sources: budget.model.sources },
    increasedMemoryLimit: budget.entitlement,
    deploymentTarget: budget.scope.target ?? null,
    leftOut: budget.leftOut.map(({ device, tierIndex }) => ({ name: device.name, tier: budget.tiers[tierIndex]!.name, newestOS: device.os })),
    tiers: budget.tiers.map(tierFitJson),
  }, null, 2)}\n`;
}

/** One tier of `budget --json` (and `explain --json`): the estimate term by term, and each ceiling with its verdicts. */
export function tierFitJson(fit: TierFit): { name: string; estimate: Record<string, unknown>; memoryLimit: Record<string, number> | null; devices: Record<string, unknown>[] } {
  const bytes = (value: bigint) => Number(value);
  const ceiling = (value: { bytes: bigint; headroom: { bytes: bigint; percent: number } } | undefined) =>
    value ? { bytes: bytes(value.bytes), headroomBytes: bytes(value.headroom.bytes), headroomPercent: value.headroom.percent } : null;
  return {
    name: fit.name,
    estimate: {
      total: bytes(fit.estimate.total), weights: bytes(fit.estimate.weights), kvCache: bytes(fit.estimate.kvCache),
      tokens: fit.estimate.tokens, image: fit.estimate.image,
      cacheLimit: bytes(fit.estimate.cacheLimit), activations: bytes(fit.estimate.activations),
      release: fit.estimate.release,
      activationsFrom: fit.estimate.measured ? 'measured' : 'estimated',
      measured: fit.estimate.measured ? measuredJson(fit.estimate.measured) : null,
    },
    memoryLimit: ceiling(fit.memoryLimit),
    devices: fit.devices.map((device) => ({
      name: device.name,
      appLimit: device.appLimit ? { ...ceiling(device.appLimit), entitlement: device.appLimit.entitlement, os: device.appLimit.os ?? null, source: device.appLimit.source } : null,
      verdicts: verdicts(fit, device),
    })),
  };
}

/** A tier's measurement as JSON: the figures in bytes and the run. */
function measuredJson(m: NonNullable<TierEstimate['measured']>): Record<string, unknown> {
  const { shape, tier } = m;
  return {
    model: shape.model, release: shape.release, shape: shape.shape,
    weights: Number(shape.weights), vision: Number(shape.vision), prefill: Number(shape.prefill), decodeStep: Number(shape.decodeStep),
    visionSource: shape.visionSource, extrapolated: shape.extrapolated,
    tier: tier ? { name: tier.tier, maxTokens: tier.maxTokens, kvCache: Number(tier.kvCache), peak: Number(tier.peak), peakStage: tier.peakStage } : null,
    run: measuredRunInWords(shape.run),
  };
}
