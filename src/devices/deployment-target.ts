/**
 * The app's deployment target against the catalog: which devices can install the app at all.
 * A device whose newest iOS is below the target never runs the app, so nothing memtier says about
 * it (its tier, its ceilings) is about the app; the reports and the memory warnings leave it out,
 * and say so in one line.
 */
import { DEVICES, type Device, type OsRange, type OsSupport } from './catalog.js';

/** The app's deployment target, and where memtier read it (for messages). */
export interface DeploymentTarget {
  /** As written: "17.2". */
  version: string;
  /** "app.deploymentTarget in tiers.yaml", or "target VLMEval in VLMEval.xcodeproj" (its IPHONEOS_DEPLOYMENT_TARGET). */
  from: string;
}

/** The catalog devices a report covers, and the ones it leaves out because the app cannot be installed there. */
export interface DeviceScope<D extends { name: string; os: OsSupport } = Device> {
  target?: DeploymentTarget;
  devices: readonly D[];
  leftOut: readonly D[];
}

/** "17.2" -> [17, 2]; undefined for anything but one to three dot-separated whole numbers. */
export function parseOsVersion(text: string): number[] | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){0,2}$/.test(text)) return undefined;
  return text.split('.').map(Number);
}

/** Compares two versions part by part, a missing part counting as 0 ("17" = "17.0"). */
export function compareOsVersions(a: string, b: string): number {
  const [left, right] = [parseOsVersion(a) ?? [], parseOsVersion(b) ?? []];
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/**
 * Whether a device can install an app built for `version`: its newest release is at least the
 * target's (it runs every update of that release). Above it, only a device Apple's newest release
 * still supports may run a later one, and it is counted as running it: memtier leaves a device out
 * only when a published list says it stops below the target.
 */
export function runsTarget(os: OsSupport, version: string): boolean {
  const major = parseOsVersion(version)?.[0];
  if (major === undefined) return true;
  return major <= os.newest || os.current;
}

/** The devices an app with `target` can be installed on, and the rest; every device when no target is known. */
export function scopeFor<D extends { name: string; os: OsSupport }>(devices: readonly D[], target: DeploymentTarget | undefined): DeviceScope<D> {
  if (!target) return { devices, leftOut: [] };
  return {
    target,
    devices: devices.filter((device) => runsTarget(device.os, target.version)),
    leftOut: devices.filter((device) => !runsTarget(device.os, target.version)),
  };
}

/** The whole catalog, less the devices an app with `target` cannot be installed on. */
export function catalogScope(target?: DeploymentTarget): DeviceScope {
  return scopeFor(DEVICES, target);
}

/** Whether an OS range measured on overlaps what the app can meet on a device: its target up to the device's newest release. */
export function rangeApplies(range: OsRange | undefined, os: OsSupport, target: DeploymentTarget | undefined): boolean {
  if (!range) return true;
  const reachesTarget = range.through === undefined || target === undefined || compareOsVersions(range.through, target.version) >= 0;
  const beforeItsLastRelease = range.from === undefined || os.current || (parseOsVersion(range.from)?.[0] ?? 0) <= os.newest;
  return reachesTarget && beforeItsLastRelease;
}

/** "iPadOS 26.4-26.5", "iOS 17 and later": an OS range in words. */
export function rangeInWords(range: OsRange, name: OsSupport['name']): string {
  if (range.from !== undefined && range.through !== undefined) return `${name} ${range.from}-${range.through}`;
  if (range.from !== undefined) return `${name} ${range.from} and later`;
  return `${name} up to ${range.through}`;
}

/** "iOS 16 at most" or "iOS 27": the newest release a device runs, in words. */
export function newestInWords(os: OsSupport): string {
  return os.current ? `${os.name} ${os.newest}` : `${os.name} ${os.newest} at most`;
}

/** "iOS 17.2 (app.deploymentTarget in tiers.yaml)": the target, and where it was read. */
export function targetInWords(target: DeploymentTarget): string {
  return `iOS ${target.version} (${target.from})`;
}

/** The left-out devices grouped by their newest release: "iPhone 8, iPhone 8 Plus and iPhone X run iOS 16 at most". */
export function leftOutInWords(devices: readonly { name: string; os: OsSupport }[]): string {
  const byRelease = new Map<string, string[]>();
  for (const device of devices) {
    const words = newestInWords(device.os);
    byRelease.set(words, [...(byRelease.get(words) ?? []), device.name]);
  }
  return [...byRelease].map(([release, names]) => `${listInWords(names)} run${names.length === 1 ? 's' : ''} ${release}`).join('; ');
}

/**
 * The one line a report adds when it leaves devices out, or undefined when it leaves none out:
 * "3 catalog devices are left out, as the app cannot be installed on them: its deployment target is
 * iOS 17.2 (app.deploymentTarget in tiers.yaml), and iPhone 8, iPhone 8 Plus and iPhone X run iOS
 * 16 at most". With `by` ("the memory warnings"): "the memory warnings leave out 3 catalog devices, as …".
 */
export function leftOutLine(scope: DeviceScope<{ name: string; os: OsSupport }>, by?: string): string | undefined {
  if (!scope.target || scope.leftOut.length === 0) return undefined;
  const count = scope.leftOut.length;
  const devices = `${count} catalog device${count === 1 ? '' : 's'}`;
  const head = by === undefined ? `${devices} ${count === 1 ? 'is' : 'are'} left out` : `${by} leave out ${devices}`;
  return `${head}, as the app cannot be installed on ${count === 1 ? 'it' : 'them'}: its deployment target is ${targetInWords(scope.target)}, and ${leftOutInWords(scope.leftOut)}`;
}

function listInWords(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
