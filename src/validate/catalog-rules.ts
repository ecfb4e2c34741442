/**
 * The rules that read the device catalog: tier boundaries close to what a device reports, the
 * memory estimate against each device's ceilings, and tiers that hold no device the app can be
 * installed on. With a deployment target, the devices whose newest iOS is older are left out of
 * all of them: the app never runs there.
 */
import { classify } from '../policy/classify.js';
import type { Policy } from '../policy/schema.js';
import { leftOutInWords, scopeFor, targetInWords, type DeploymentTarget } from '../devices/deployment-target.js';
import { checkModelFit } from './model-rules.js';
import { checkMargins, type CatalogDevice, type Report } from './tier-rules.js';

/** The catalog, and what the app is built for. */
export interface CatalogContext {
  /** Names the policy in value sources. */
  file: string;
  devices: readonly CatalogDevice[];
  /** The app's deployment target, when known. */
  target?: DeploymentTarget;
}

/** Runs every rule that reads the catalog, reporting all problems. */
export function checkCatalogRules(policy: Policy, report: Report, context: CatalogContext): void {
  const scope = scopeFor(context.devices, context.target);
  checkTargetKnown(policy, report, context);
  const deadTiers = checkDeadTiers(policy, report, context);
  checkMargins(policy.tiers, scope.devices, report);
  checkModelFit(policy, report, { file: context.file, devices: scope.devices, target: context.target, deadTiers });
}

/**
 * Warns when the deployment target is newer than any iOS memtier knows a catalog device runs (a
 * typo such as "71", or a release the catalog predates): a device Apple still supports is counted
 * as running later releases too, so the reports would count every current device.
 */
function checkTargetKnown(policy: Policy, report: Report, { devices, target }: CatalogContext): void {
  if (!target || devices.length === 0) return;
  const newest = Math.max(...devices.map((device) => device.os.newest));
  const major = Number(target.version.split('.')[0]);
  if (!(major > newest)) return;
  const at = policy.app.deploymentTarget !== undefined ? ['app', 'deploymentTarget'] : ['app', 'xcodeProject'];
  report('warning', at, `${targetInWords(target)} is newer than any iOS memtier knows (iOS ${newest}); the catalog's current devices are counted as running it`, { id: 'deployment-target-unknown-release' });
}

/**
 * Warns at each tier whose catalog devices all run an iOS older than the deployment target: its
 * limits never apply to a device the app is installed on. A tier no catalog device lands in at all
 * is not warned about: the catalog does not hold every device. Returns the tiers warned about.
 */
function checkDeadTiers(policy: Policy, report: Report, { devices, target }: CatalogContext): Set<number> {
  const dead = new Set<number>();
  if (!target) return dead;
  const scope = scopeFor(devices, target);
  const runnable = new Set(scope.devices.map((device) => classify(policy.tiers, device.reported).index));
  const leftOutByTier = new Map<number, CatalogDevice[]>();
  for (const device of scope.leftOut) {
    const index = classify(policy.tiers, device.reported).index;
    leftOutByTier.set(index, [...(leftOutByTier.get(index) ?? []), device]);
  }
  for (const [index, leftOut] of [...leftOutByTier].sort(([a], [b]) => a - b)) {
    if (runnable.has(index)) continue;
    dead.add(index);
    const name = policy.tiers[index]!.name;
    const who = leftOut.length <= 2 ? leftOutInWords(leftOut) : `its ${leftOut.length} devices run iOS ${Math.max(...leftOut.map((device) => device.os.newest))} at most`;
    report('warning', ['tiers', index], `no catalog device that can install the app lands here, so these limits never apply: ${who}, and the app needs ${targetInWords(target)}`, { id: `tier-without-devices:${name}` });
  }
  return dead;
}
