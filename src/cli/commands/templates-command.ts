/**
 * `memtier templates list` and `memtier templates eject NAME [--to DIR]`.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BUILT_IN_TEMPLATE_DIR, outputOf, readBuiltInTemplateTexts, templateFileName } from '../../package/template-files.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { displayPathOf, loadPolicyFile, policyFolder } from '../load-policy-file.js';
import { suggest } from '../../diagnostics/suggest.js';

/** The folder custom templates live in: the policy's output.templates, or "templates" beside it. */
async function customFolder(io: CliIO, config: string | undefined): Promise<{ path: string; configured: boolean } | undefined> {
  const loaded = await loadPolicyFile(io.cwd, config);
  if (!loaded.source) return undefined;
  const folder = loaded.source.policy.output.templates;
  return { path: resolve(policyFolder(loaded.source), folder ?? 'templates'), configured: folder !== undefined };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Runs `templates list` or `templates eject`. */
export async function templatesCommand(io: CliIO, options: { action?: string; name?: string; to?: string; config?: string }): Promise<number> {
  const names = [...readBuiltInTemplateTexts().keys()];
  if (options.action === 'list') {
    const custom = await customFolder(io, options.config);
    for (const name of names) {
      const overridden = custom?.configured && (await exists(join(custom.path, templateFileName(name))));
      io.stdout(`${templateFileName(name)}  ${overridden ? `custom: ${displayPathOf(io.cwd, join(custom.path, templateFileName(name)))}` : 'built-in'}\n`);
    }
    io.stdout('\nHelpers for custom templates: swiftIdentifier, swiftString, swiftInt, swiftDocComment (see docs/generated-swift.md).\n');
    return ExitCode.ok;
  }
  if (options.action === 'eject') {
    const given = outputOf(options.name ?? '') ?? options.name ?? '';
    const wanted = names.includes(given) ? given : `${given}.swift`;
    if (!names.includes(wanted)) {
      const guess = suggest(given, names) ?? suggest(wanted, names);
      throw new UsageError(`no built-in template "${options.name ?? ''}"${guess ? `; did you mean ${guess}?` : `; templates: ${names.join(', ')}`}`);
    }
    const custom = options.to !== undefined ? { path: resolve(io.cwd, options.to), configured: false } : await customFolder(io, options.config);
    const folder = custom?.path ?? resolve(io.cwd, 'templates');
    const target = join(folder, templateFileName(wanted));
    if (await exists(target)) throw new UsageError(`${displayPathOf(io.cwd, target)} already exists; memtier never overwrites an ejected template`);
    await mkdir(folder, { recursive: true });
    await copyFile(join(BUILT_IN_TEMPLATE_DIR, templateFileName(wanted)), target);
    io.stdout(`ejected ${templateFileName(wanted)} to ${displayPathOf(io.cwd, target)}\n`);
    if (!custom?.configured) io.stdout(`set output.templates: ${displayPathOf(io.cwd, folder)} in the policy so that generate and check use it\n`);
    return ExitCode.ok;
  }
  throw new UsageError('memtier templates takes list or eject NAME; see memtier templates --help');
}
