/**
 * The app's deployment target as its Xcode project sets it: IPHONEOS_DEPLOYMENT_TARGET of the app
 * target that compiles the evaluator file. Pure: a read project in, a version and its origin out.
 */
import { basename } from 'node:path';
import { compareOsVersions as compareVersions, parseOsVersion } from '../devices/deployment-target.js';
import { pathInProject, type XcodeProject } from './xcode-project.js';
import { compiles, PRODUCT_TYPE, type XcodeTarget } from './xcode-targets.js';

/** The version and where it was read, or why there is none. */
export type ProjectDeploymentTarget = { version: string; from: string } | { problem: string };

/**
 * The deployment target of the app target that compiles `evaluator` (absolute), else of the
 * project's only app target (the evaluator may come from a package the app depends on), as `init`
 * chooses the app target. Where its configurations differ, the lowest: a build of that
 * configuration installs on the most devices. Versions are compared as numbers. `name` is how
 * messages name the project (default: its folder's name).
 */
export function projectDeploymentTarget(project: XcodeProject, evaluator: string | undefined, name = basename(project.path)): ProjectDeploymentTarget {
  const apps = project.targets.filter((target) => target.productType === PRODUCT_TYPE.application);
  const compiling = evaluator === undefined ? [] : apps.filter((target) => compiles(target, pathInProject(project, evaluator)));
  const building = compiling.length > 0 ? compiling : apps.length === 1 ? apps : [];
  const only = compiling.length === 0 ? ' (the only app target)' : '';
  if (building.length === 0) {
    const none = evaluator === undefined ? 'evaluator.source, which would pick one, is not set' : `none compiles ${pathInProject(project, evaluator)}`;
    return { problem: apps.length === 0 ? `${name} has no app target` : `${name} has ${apps.length} app targets and ${none}` };
  }
  const forIos = building.filter((target) => lowestVersion(target) !== undefined);
  if (forIos.length === 0) return { problem: `${building.map((target) => target.name).join(', ')} in ${name} set${building.length === 1 ? 's' : ''} no IPHONEOS_DEPLOYMENT_TARGET that memtier can read` };
  const versions = forIos.map((target) => ({ target, version: lowestVersion(target)! }));
  const lowest = versions.reduce((a, b) => (compareVersions(b.version, a.version) < 0 ? b : a));
  const configurations = lowest.target.deploymentTargets.filter((each) => each.iOS !== undefined);
  const differ = new Set(configurations.map((each) => each.iOS)).size > 1;
  const which = differ ? ` (${configurations.find((each) => each.iOS === lowest.version)?.configuration}, its lowest)` : '';
  return { version: lowest.version, from: `target ${lowest.target.name}${only}${which} in ${name}` };
}

/** The lowest readable IPHONEOS_DEPLOYMENT_TARGET across a target's configurations ("17.2"). */
function lowestVersion(target: XcodeTarget): string | undefined {
  const versions = target.deploymentTargets.flatMap((each) => (each.iOS !== undefined && parseOsVersion(each.iOS) !== undefined ? [each.iOS] : []));
  return versions.reduce<string | undefined>((lowest, version) => (lowest === undefined || compareVersions(version, lowest) < 0 ? version : lowest), undefined);
}
