/**
 * Which git revision `memtier diff` compares the working copy with, and how to say why.
 *
 * The point is that a diff never passes by accident: a comparison with nothing (a shallow clone
 * that lacks the base branch, or HEAD against itself in a clean CI checkout) would print nothing
 * and exit 0 whatever the change. Those cases are refused, with the fix.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UsageError } from './io.js';

const run = promisify(execFile);

/** Runs git in `cwd`; undefined when it fails (a missing revision, not a repository). */
export async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch {
    return undefined;
  }
}

/** The revision chosen: its hash, its short hash, and why it was chosen, in words. */
export interface DiffBase {
  revision: string;
  short: string;
  why: string;
  /** The base is HEAD itself: only changes not yet committed can show. */
  isHead: boolean;
}

/** No revision to compare with: what went wrong, in one sentence, and what the fix depends on. */
export interface BaseRefusal {
  refusal: string;
  /** A shallow clone is fixed with the whole history; a full one by fetching the branch. */
  shallow: boolean;
  /** The base branch to fetch (the pull request's, or main); none for a --base that names no branch. */
  branch?: string;
}

/** What `chooseBase` needs: the repository's top folder, the --base option, the environment. */
export interface BaseRequest {
  top: string;
  explicit?: string;
  /** GITHUB_BASE_REF names a pull request's base branch; GITHUB_ACTIONS is "true" in a workflow. */
  env: Record<string, string | undefined>;
}

/** A branch to try, and how the output names it. */
interface Candidate {
  ref: string;
  label: string;
}

/**
 * The base: --base as given; otherwise the merge base of HEAD with the pull request's base branch
 * (origin/$GITHUB_BASE_REF, when that is set, and nothing else), or with origin/HEAD, main or
 * master; otherwise HEAD, except in a shallow clone or in GitHub Actions, where that would compare
 * a clean checkout with itself.
 */
export async function chooseBase(request: BaseRequest): Promise<DiffBase | BaseRefusal> {
  const { top, explicit, env } = request;
  const head = await resolve(top, 'HEAD');
  if (!head) throw new UsageError('this git repository has no commit yet, so there is no revision to compare with; commit the policy first');
  const clone = { top, head, shallow: (await git(top, ['rev-parse', '--is-shallow-repository']))?.trim() === 'true' };
  return explicit !== undefined ? explicitBase(clone, explicit) : defaultBase(clone, env);
}

/** The repository as the choice needs it: its top folder, HEAD's hash, and whether it is shallow. */
interface Clone {
  top: string;
  head: string;
  shallow: boolean;
}

/** --base as given: in a shallow clone, a revision it lacks is refused with the fix. */
async function explicitBase(clone: Clone, explicit: string): Promise<DiffBase | BaseRefusal> {
  const revision = await resolve(clone.top, explicit);
  if (revision) return describe(clone, revision, explicit);
  if (!clone.shallow) throw new UsageError(`${explicit} is not a revision of this repository`);
  const branch = /^origin\/(.+)$/.exec(explicit)?.[1];
  return { refusal: `--base ${explicit} is not in this clone, which is shallow (${await depth(clone.top)})`, shallow: true, ...(branch ? { branch } : {}) };
}

/** The merge base with the first branch this clone has; HEAD only where that compares something. */
async function defaultBase(clone: Clone, env: BaseRequest['env']): Promise<DiffBase | BaseRefusal> {
  const { top, head, shallow } = clone;
  const candidates = await candidatesOf(top, env);
  const branch = env.GITHUB_BASE_REF || 'main';
  for (const candidate of candidates) {
    if (!(await resolve(top, candidate.ref))) continue;
    const mergeBase = (await git(top, ['merge-base', 'HEAD', candidate.ref]))?.trim();
    if (mergeBase) {
      return describe(clone, mergeBase, `the merge base with ${candidate.label}`);
    }
    // Unrelated histories in a full clone: try the next branch. In a shallow one, the history is missing.
    if (shallow) return { refusal: `${candidate.ref} is in this clone, but the history joining it to HEAD is not: the clone is shallow (${await depth(top)})`, shallow, branch };
  }
  const looked = `looked for ${candidates.map((candidate) => candidate.ref).join(', ')}`;
  if (shallow) return { refusal: `this clone is shallow (${await depth(top)}) and holds no branch to compare with (${looked})`, shallow, branch };
  if (env.GITHUB_ACTIONS === 'true') {
    return { refusal: `this checkout holds no branch to compare with (${looked}), and comparing HEAD with itself would pass any change`, shallow, branch };
  }
  return describe(clone, head, 'HEAD: there is no main or master branch here');
}

/**
 * The branches to try. In a pull request (GITHUB_BASE_REF set) only its base branch: any other
 * (origin/HEAD may be the pull request's own branch in a clone of it) would compare the change
 * with itself.
 */
async function candidatesOf(top: string, env: BaseRequest['env']): Promise<Candidate[]> {
  if (env.GITHUB_BASE_REF) {
    const base = env.GITHUB_BASE_REF;
    return [
      { ref: `origin/${base}`, label: `origin/${base}, the pull request's base branch from GITHUB_BASE_REF` },
      { ref: base, label: `${base}, the pull request's base branch from GITHUB_BASE_REF` },
    ];
  }
  const remoteHead = (await git(top, ['rev-parse', '--abbrev-ref', 'origin/HEAD']))?.trim();
  const refs = [...(remoteHead ? [remoteHead] : []), 'origin/main', 'main', 'origin/master', 'master'];
  const all = refs.map((ref) => ({ ref, label: ref }));
  return all.filter((candidate, index) => all.findIndex((other) => other.ref === candidate.ref) === index);
}

/** The full hash of a revision, or undefined when this clone does not have it. */
async function resolve(top: string, revision: string): Promise<string | undefined> {
  return (await git(top, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]))?.trim() || undefined;
}

async function describe(clone: Clone, revision: string, why: string): Promise<DiffBase> {
  const short = (await git(clone.top, ['rev-parse', '--short', revision]))?.trim() ?? revision.slice(0, 7);
  return { revision, short, why, isHead: revision === clone.head };
}

/** "it holds 1 commit": how much history a shallow clone has. */
async function depth(top: string): Promise<string> {
  const count = Number((await git(top, ['rev-list', '--count', 'HEAD']))?.trim());
  return Number.isFinite(count) ? `it holds ${count} commit${count === 1 ? '' : 's'}` : 'it holds part of the history';
}

/** The checkout step that fetches the whole history, indented as a block of the message. */
const FULL_HISTORY_STEP = ['    - uses: actions/checkout@v4', '      with:', '        fetch-depth: 0'];

/**
 * The message for a refusal: what is missing, why memtier stops, and the fix. A shallow clone
 * needs its history (in GitHub Actions, the checkout step); a full one needs the base branch.
 */
export function refusalMessage(file: string, refusal: BaseRefusal): string {
  const fetchBranch = refusal.branch ? [`    git fetch origin ${refusal.branch}:refs/remotes/origin/${refusal.branch}`] : [];
  const fix = refusal.shallow
    ? [
        'In GitHub Actions, fetch the whole history in the checkout step:', '', ...FULL_HISTORY_STEP, '',
        'Elsewhere, fetch the history and the base branch, or pass --base with a revision this clone has:', '',
        '    git fetch --unshallow origin', ...fetchBranch,
      ]
    : [
        'Fetch the base branch, or pass --base with the revision to compare with:', '', ...fetchBranch, '',
        "In GitHub Actions, a pull request's base branch (GITHUB_BASE_REF) is found when the checkout step fetches the whole history:", '',
        ...FULL_HISTORY_STEP,
      ];
  return [
    `memtier: error: ${file} cannot be compared: ${refusal.refusal}.`,
    'A diff against nothing would pass whatever the change, so memtier diff stops here (exit 2).',
    ...fix,
    '',
  ].join('\n');
}
