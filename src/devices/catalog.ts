/**
 * The device catalog: iPhones from the iPhone 8 / X generation on, and recent iPads, with the
 * physical memory each reports (`ProcessInfo.processInfo.physicalMemory`), the newest iOS or
 * iPadOS each runs, and the app memory limit measured on some of them.
 *
 * Reported values are exact only where a measurement is published; elsewhere they are estimated by
 * {@link ESTIMATE_RULE} and marked as estimated wherever they are shown.
 */

import { SIZE_UNITS } from '../policy/sizes.js';

/** How sure a reported value is. */
export type ReportedSource =
  | { kind: 'exact'; source: string }
  | { kind: 'approximate'; source: string }
  | { kind: 'estimated' };

/** A range of OS versions ("26.4" through "26.5"), both ends included; an absent end is open. */
export interface OsRange {
  from?: string;
  through?: string;
}

/**
 * What iOS lets the app use on a device before it ends it (the per-app jetsam limit), without and
 * with the `com.apple.developer.kernel.increased-memory-limit` entitlement. Apple publishes no such
 * figure: these are third-party measurements of `os_proc_available_memory()` at launch, so the
 * true limit is that plus the app's small launch footprint. Where the source says "GB" without
 * saying which, it is read as 10^9 bytes, the smaller (safer) reading. The limit moves between
 * releases, so a measurement whose source names the OS versions keeps them (`os`); one without
 * counts for every version.
 */
export interface AppMemoryLimit {
  /** Without the entitlement, when measured. */
  standard?: bigint;
  /** With the entitlement, when measured. */
  increased?: bigint;
  /** The OS versions measured on, when the source says. */
  os?: OsRange;
  source: string;
}

/**
 * The newest iOS (iPadOS on an iPad) a device runs. A device runs every update of that release
 * (Apple's updates of a release reach every device it supports), and no later release, unless
 * `current`: Apple's newest release still supports it, so a later one may too.
 */
export interface OsSupport {
  name: 'iOS' | 'iPadOS';
  /** The major version of the newest release it runs. */
  newest: number;
  current: boolean;
  source: string;
}

/** One device model. */
export interface Device {
  name: string;
  /** Model identifiers, as `utsname.machine` reports them ("iPhone14,4"). */
  identifiers: string[];
  family: 'iPhone' | 'iPad';
  /** RAM the device is sold with, in GB as Apple counts it (a power of two in practice). */
  ramGB: number;
  /** What `physicalMemory` reports, in bytes. */
  reported: bigint;
  reportedSource: ReportedSource;
  /** The newest iOS or iPadOS it runs. */
  os: OsSupport;
  /** The app's memory limit on this device, where measurements are published (one per OS range). */
  appLimits?: readonly AppMemoryLimit[];
}

/**
 * The estimate for devices without a published measurement: 92% of the RAM sold, in GiB, rounded
 * down to a MiB. Measured devices report 91.8% (6 GB, 5_917_753_344 bytes) and 93.4% (8 GB,
 * 8_021_032_960 bytes); 4 GB phones about 90% (about 3.6 GiB).
 */
export const ESTIMATE_RULE = 'estimated as 92% of the RAM sold (measured devices report 90-93%)';

const GiB = SIZE_UNITS.GiB!;
const MiB = SIZE_UNITS.MiB!;

/** The estimated report for a device sold with `ramGB` of RAM. */
export function estimateReported(ramGB: number): bigint {
  return ((BigInt(ramGB) * GiB * 92n) / 100n / MiB) * MiB;
}

const SWIFT_COREML_DIFFUSERS = 'published in github.com/huggingface/swift-coreml-diffusers, Diffusion/DiffusionApp.swift';

type Row = [name: string, identifiers: string[], ramGB: number, exact?: [bigint, ReportedSource]];

const IPHONES: Row[] = [
  ['iPhone 8', ['iPhone10,1', 'iPhone10,4'], 2],
  ['iPhone 8 Plus', ['iPhone10,2', 'iPhone10,5'], 3],
  ['iPhone X', ['iPhone10,3', 'iPhone10,6'], 3],
  ['iPhone XR', ['iPhone11,8'], 3],
  ['iPhone XS', ['iPhone11,2'], 4],
  ['iPhone XS Max', ['iPhone11,4', 'iPhone11,6'], 4],
  ['iPhone 11', ['iPhone12,1'], 4, [3_865_470_566n, { kind: 'approximate', source: 'about 3.6 GiB, from a code comment; no published measurement' }]],
  ['iPhone 11 Pro', ['iPhone12,3'], 4],
  ['iPhone 11 Pro Max', ['iPhone12,5'], 4],
  ['iPhone SE (2nd generation)', ['iPhone12,8'], 3],
  ['iPhone 12 mini', ['iPhone13,1'], 4],
  ['iPhone 12', ['iPhone13,2'], 4],
  ['iPhone 12 Pro', ['iPhone13,3'], 6],
  ['iPhone 12 Pro Max', ['iPhone13,4'], 6, [5_970_004_541n, { kind: 'approximate', source: 'about 5.56 GiB, from a code comment; no published measurement' }]],
  ['iPhone 13 mini', ['iPhone14,4'], 4],
  ['iPhone 13', ['iPhone14,5'], 4, [3_740_000_000n, { kind: 'approximate', source: 'about 3.74 GB, from a code comment; unit unclear, no published measurement' }]],
  ['iPhone 13 Pro', ['iPhone14,2'], 6, [5_917_753_344n, { kind: 'exact', source: `iOS 17 beta, ${SWIFT_COREML_DIFFUSERS}` }]],
  ['iPhone 13 Pro Max', ['iPhone14,3'], 6],
  ['iPhone SE (3rd generation)', ['iPhone14,6'], 4],
  ['iPhone 14', ['iPhone14,7'], 6],
  ['iPhone 14 Plus', ['iPhone14,8'], 6],
  ['iPhone 14 Pro', ['iPhone15,2'], 6],
  ['iPhone 14 Pro Max', ['iPhone15,3'], 6],
  ['iPhone 15', ['iPhone15,4'], 6],
  ['iPhone 15 Plus', ['iPhone15,5'], 6],
  ['iPhone 15 Pro', ['iPhone16,1'], 8],
  ['iPhone 15 Pro Max', ['iPhone16,2'], 8, [8_021_032_960n, { kind: 'exact', source: `iOS 17.0.2, ${SWIFT_COREML_DIFFUSERS}` }]],
  ['iPhone 16', ['iPhone17,3'], 8],
  ['iPhone 16 Plus', ['iPhone17,4'], 8],
  ['iPhone 16 Pro', ['iPhone17,1'], 8],
  ['iPhone 16 Pro Max', ['iPhone17,2'], 8],
  ['iPhone 16e', ['iPhone17,5'], 8],
  // The 2025 models' identifiers and RAM are not from a checked source; verify them.
  ['iPhone 17', ['iPhone18,3'], 8],
  ['iPhone Air', ['iPhone18,4'], 12],
  ['iPhone 17 Pro', ['iPhone18,1'], 12],
  ['iPhone 17 Pro Max', ['iPhone18,2'], 12],
];

const IPADS: Row[] = [
  ['iPad (10th generation)', ['iPad13,18', 'iPad13,19'], 4],
  ['iPad (A16)', ['iPad15,7', 'iPad15,8'], 6],
  ['iPad mini (6th generation)', ['iPad14,1', 'iPad14,2'], 4],
  ['iPad mini (A17 Pro)', ['iPad16,1', 'iPad16,2'], 8],
  ['iPad Air (5th generation)', ['iPad13,16', 'iPad13,17'], 8],
  ['iPad Air 11-inch (M2)', ['iPad14,8', 'iPad14,9'], 8],
  ['iPad Air 13-inch (M2)', ['iPad14,10', 'iPad14,11'], 8],
  ['iPad Pro 11-inch (M4)', ['iPad16,3', 'iPad16,4'], 8],
  ['iPad Pro 13-inch (M4)', ['iPad16,5', 'iPad16,6'], 8],
];

const GB = SIZE_UNITS.GB!;

/** Published measurements of the app's memory limit, by device name (see AppMemoryLimit). */
const APP_LIMITS: Readonly<Record<string, readonly AppMemoryLimit[]>> = {
  'iPhone 12 mini': [{ standard: 2_100_000_000n, increased: 2_400_000_000n, source: 'github.com/allenai/OLMoE.swift pull request 38 (2024-11-16): "iPhone 12 Mini went from 2.1 to 2.4 GB" with the entitlement' }],
  'iPhone 12': [{ standard: 3n * GB, increased: 4n * GB, source: 'github.com/introlab/rtabmap pull request 1446 (2025-02-05): "Effect on iphone 12 = 3GB ->4GB", os_proc_available_memory()' }],
  'iPhone 13 Pro': [{ standard: 3_120_000_000n, increased: 4_200_000_000n, source: 'github.com/a-ghorbani/pocketpal-ai pull request 651 (2026-03-27): available_memory "3.12 GB -> 4.20 GB at app launch" on iPhone 13 Pro' }],
  'iPhone 15 Pro': [{ standard: 3n * GB, increased: 6n * GB, source: 'github.com/introlab/rtabmap pull request 1446 (2025-02-12): "iphone 15 Pro = 6 GB available RAM for the App instead of 3GB"' }],
};

/**
 * One report on an 8 GB iPad whose model it does not name, so it stands for every 8 GB iPad here.
 * It does not say whether the app had the entitlement; 6 GB of 8 is what the entitlement has allowed
 * on 8 GB iPads since iPadOS 15 (macrumors.com, 2021-09-17: "apps can request up to 6GB"), so both
 * figures are read as with it.
 */
const FORUM_826325 = 'developer.apple.com/forums/thread/826325, an 8 GB iPad (model not named): app available memory';
const EIGHT_GB_IPAD_LIMITS: readonly AppMemoryLimit[] = [
  { increased: 6n * GB, os: { from: '26.0', through: '26.3' }, source: `${FORUM_826325} "≈ 6GB (75% of total RAM)"` },
  { increased: 3n * GB, os: { from: '26.4', through: '26.5' }, source: `${FORUM_826325} "≈ 3GB (37.5% of total RAM)"` },
];

/**
 * Apple's compatibility lists, as the press reported them when each release was announced. A
 * device not named in NEWEST_RELEASE runs the newest release (27).
 */
const IOS_16_LAST = 'iOS 17 supports the iPhone XS, XS Max, XR and later, not the iPhone 8, 8 Plus or X (Apple at WWDC 2023; knowyourmobile.com, "iOS 17 supported devices")';
const IOS_18_LAST = 'iOS 26 leaves out the iPhone XS, XS Max and XR, which "remain stuck on iOS 18" (Apple\'s iOS 26 preview page, June 2025; tomsguide.com, newsbytesapp.com 2025-06-10)';
const IOS_27 = 'iOS 27 supports every iPhone iOS 26 does: the iPhone 11 and later, the iPhone SE (2nd generation) and later (Apple at WWDC, 2026-06-08; forgeeks.dev, ecorpit.com)';
const IPADOS_27 = 'iPadOS 27 supports the iPad (9th generation), iPad mini (6th generation), iPad Air (4th generation) and later, and every M-series iPad (Apple at WWDC, 2026-06-08; mag.certideal.com, thecircuitry.to)';

/** The newest release of the devices Apple's newest release leaves out, by device name. */
const NEWEST_RELEASE: Readonly<Record<string, OsSupport>> = {
  'iPhone 8': { name: 'iOS', newest: 16, current: false, source: IOS_16_LAST },
  'iPhone 8 Plus': { name: 'iOS', newest: 16, current: false, source: IOS_16_LAST },
  'iPhone X': { name: 'iOS', newest: 16, current: false, source: IOS_16_LAST },
  'iPhone XR': { name: 'iOS', newest: 18, current: false, source: IOS_18_LAST },
  'iPhone XS': { name: 'iOS', newest: 18, current: false, source: IOS_18_LAST },
  'iPhone XS Max': { name: 'iOS', newest: 18, current: false, source: IOS_18_LAST },
};

function toDevice(family: Device['family']) {
  return ([name, identifiers, ramGB, exact]: Row): Device => {
    const appLimits = APP_LIMITS[name] ?? (family === 'iPad' && ramGB === 8 ? EIGHT_GB_IPAD_LIMITS : undefined);
    return {
      name,
      identifiers,
      family,
      ramGB,
      reported: exact ? exact[0] : estimateReported(ramGB),
      reportedSource: exact ? exact[1] : { kind: 'estimated' },
      os: NEWEST_RELEASE[name] ?? (family === 'iPad' ? { name: 'iPadOS', newest: 27, current: true, source: IPADOS_27 } : { name: 'iOS', newest: 27, current: true, source: IOS_27 }),
      ...(appLimits ? { appLimits } : {}),
    };
  };
}

/** Every catalog device, iPhones then iPads, each in release order. */
export const DEVICES: readonly Device[] = [...IPHONES.map(toDevice('iPhone')), ...IPADS.map(toDevice('iPad'))];

/** How a device's reported value should be labelled. */
export function describeReportedSource(device: Device): string {
  const source = device.reportedSource;
  if (source.kind === 'estimated') return ESTIMATE_RULE;
  return `${source.kind}: ${source.source}`;
}

/** A device by name ("iPhone 13 mini", any case and spacing) or model identifier ("iPhone14,4"). */
export function findDevice(query: string): Device | undefined {
  const key = normalize(query);
  return DEVICES.find((device) => normalize(device.name) === key || device.identifiers.some((id) => normalize(id) === key));
}

/** Device names, for suggestions. */
export function deviceNames(): string[] {
  return DEVICES.map((device) => device.name);
}

function normalize(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
