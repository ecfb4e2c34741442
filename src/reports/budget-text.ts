/**
 * `memtier budget` as terminal text, every line within TEXT_WIDTH columns (a terminal and Xcode's
 * build log show it), with every figure of the Markdown and JSON forms. The tier x device table of
 * those forms is 180 columns wide; here each tier is a short section instead: its estimate against
 * its memoryLimit, a table of the devices whose app limit is published, and the other devices
 * listed by verdict (one tier's worth of identical rows says the same thing once).
 */
import { appLimitSources, headroomText, imageInWords, measurementLines, modelLines, verdicts, type Budget } from './budget.js';
import { leftOutLine, newestInWords } from '../devices/deployment-target.js';
import { keepVersionsTogether } from './device-table.js';
import { formatSize, formatSizeApprox } from '../policy/sizes.js';
import type { DeviceFit, TierFit } from '../devices/fit.js';
import { formatTerminalTable, type Table } from './table.js';
import { keepTogether, TEXT_WIDTH, wrapText } from './wrap.js';

/** Where a model value's source starts in modelLines: 2 + 18 (label) + 1 + 12 (value) + 1. */
const SOURCE_COLUMN = 34;

/** The whole `memtier budget` text. */
export function formatBudgetText(budget: Budget): string {
  const [title = '', ...values] = modelLines(budget.model);
  const sections = [
    [...wrapText(title, { indent: 2 }), ...values.flatMap((line) => wrapText(line, { indent: SOURCE_COLUMN }))],
    wrapText(`Estimate = weights + KV cache + cacheLimit + activations (docs/budgets.md). KV cache = ${formatSize(budget.model.numbers.kvBytesPerToken)} x KV tokens: maxTokens + promptTokens + image tokens + layout tokens, rounded up to KVCacheSimple's 256-token steps. In every tier, weights are ${formatSizeApprox(budget.model.numbers.weights)}.`),
    [formatTerminalTable(estimateTextTable(budget)).trimEnd()],
    measurementLines(budget).flatMap((line) => wrapText(line, { indent: 2 })),
    wrapText(`Each tier's estimate against its two ceilings: the tier's memoryLimit, and the app memory limit iOS sets on each catalog device in the tier (past it, iOS ends the app).`),
    ...leftOutParagraph(budget),
    ...budget.tiers.map((fit) => tierSection(fit, budget)),
    appLimitSources(budget).flatMap((line, index) => wrapText(index === 0 ? line : namesKeptTogether(line), { indent: index === 0 ? 0 : 4 })),
  ];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

/** "  iPhone 12, iPad Air 11-inch (M2): source" with each device name unbreakable. */
function namesKeptTogether(line: string): string {
  const at = line.indexOf(': ');
  return `${line.slice(0, at).split(', ').map(keepTogether).join(', ')}${line.slice(at)}`;
}

/** Each tier's estimate, term by term (weights and activations, the same in every tier, are said above). */
function estimateTextTable(budget: Budget): Table {
  return {
    headers: ['Tier', 'Estimate', 'KV cache', 'KV tokens', 'Image', 'cacheLimit', 'Activations'],
    rows: budget.tiers.map(({ name, estimate: e }) => [
      name, formatSizeApprox(e.total), formatSizeApprox(e.kvCache),
      `${e.tokens.total} -> ${e.tokens.cached}`, e.image.layout === 0 && e.image.pictures === 1 ? imageInWords(e) : `${e.image.edge} px, ${e.image.tilesPerSide}x${e.image.tilesPerSide} + 1`,
      formatSize(e.cacheLimit), `${formatSizeApprox(e.activations)} ${e.measured ? 'measured' : 'estimated'}`,
    ]),
  };
}

/** The devices left out as the app cannot be installed on them, as a paragraph of its own (none when none are). */
function leftOutParagraph(budget: Budget): string[][] {
  const line = leftOutLine(budget.scope);
  return line === undefined ? [] : [wrapText(keepVersionsTogether(line))];
}

/** One tier: its estimate and memoryLimit, then its devices. */
function tierSection(fit: TierFit, budget: Budget): string[] {
  const [limit, room] = headroomText(fit.memoryLimit);
  const heading = `${fit.name}: estimate ${formatSizeApprox(fit.estimate.total)}; memoryLimit ${limit}${room ? `, headroom ${room}` : ''}`;
  const published = fit.devices.filter((device) => device.appLimit);
  const table: Table = {
    headers: ['Device', 'App limit', 'Headroom', 'Verdict'],
    rows: published.map((device) => [device.name, ...headroomText(device.appLimit), verdicts(fit, device).join('; ')]),
  };
  return [
    ...wrapText(heading, { indent: 2 }),
    ...(published.length > 0 ? formatTerminalTable(table, TEXT_WIDTH - 2).trimEnd().split('\n').map((line) => `  ${line}`) : []),
    ...unpublishedLines(fit),
    ...(fit.devices.length === 0 ? emptyTierLines(fit, budget) : []),
  ];
}

/** A tier no device the app can be installed on lands in: said, with the devices left out of it. */
function emptyTierLines(fit: TierFit, budget: Budget): string[] {
  const leftOut = budget.leftOut.filter(({ tierIndex }) => tierIndex === fit.index).map(({ device }) => keepTogether(`${device.name} (${newestInWords(device.os)})`));
  if (leftOut.length === 0) return ['  no catalog device lands in this tier'];
  return wrapText(keepVersionsTogether(`  no catalog device the app can be installed on lands in this tier; left out: ${leftOut.join(', ')}`), { indent: 4 });
}

/** The devices without a published app limit, one line per verdict: their rows would differ only in the name. */
function unpublishedLines(fit: TierFit): string[] {
  const byVerdict = new Map<string, string[]>();
  for (const device of fit.devices.filter((each: DeviceFit) => !each.appLimit)) {
    const verdict = verdicts(fit, device).join('; ');
    const label = verdict.includes('app limit not published') ? verdict : `${verdict} (app limit not published)`;
    byVerdict.set(label, [...(byVerdict.get(label) ?? []), keepTogether(device.name)]);
  }
  return [...byVerdict].flatMap(([label, names]) => wrapText(`  ${label}: ${names.join(', ')}`, { indent: 4 }));
}
