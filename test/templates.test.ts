import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import Handlebars from 'handlebars';
import { registerSwiftHelpers } from '../src/render/render-files.js';
import { SWIFT_RESERVED_WORDS, swiftIdentifier } from '../src/swift/identifier.js';
import { makeProject } from './helpers/cli.js';
import { DEFAULT_POLICY_TEXT, templates, validPolicy } from './helpers/policy.js';
import { generate } from '../src/generate.js';
import { declarationKind, findNodes, memberName, parseSwift } from '../src/patch/swift-parser.js';
import { ADDED_EVALUATOR_MEMBERS, DEVICE_MEMORY_TIER_MEMBERS, GENERATED_TYPE_NAMES, REPLACED_EVALUATOR_MEMBERS } from '../src/swift/generated-api.js';

let project: ReturnType<typeof makeProject> | undefined;
afterEach(() => project?.cleanup());

const withTemplates = DEFAULT_POLICY_TEXT.replace('  accessLevel: internal\n', '  accessLevel: internal\n  templates: templates\n');

describe('custom templates', () => {
  it('lists the built-in templates and which ones the policy replaces', async () => {
    project = makeProject({ 'tiers.yaml': withTemplates, 'templates/DeviceMemoryTier.swift.hbs': '// x\n' });
    const result = await project.run('templates', 'list');
    expect(result.stdout.split('\n').slice(0, 7)).toEqual([
      'DeviceMemoryTier.swift.hbs  custom: templates/DeviceMemoryTier.swift.hbs',
      'MemoryConfiguration.swift.hbs  built-in',
      'MemoryPolicy.swift.hbs  built-in',
      'MemoryPolicyTests.swift.hbs  built-in',
      'MemoryPressureMonitor.swift.hbs  built-in',
      'MemoryStressTest.swift.hbs  built-in',
      'VLMEvaluator+MemoryPolicy.swift.hbs  built-in',
    ]);
  });

  it('eject + an edited template changes the output, and check honours it', async () => {
    project = makeProject({ 'tiers.yaml': withTemplates });
    const missing = await project.run('generate');
    expect(missing.stderr).toBe('memtier: error: tiers.yaml: output.templates names templates, which cannot be read (ENOENT)\n');
    expect(await project.run('templates', 'eject', 'MemoryConfiguration.swift')).toEqual({ code: 0, stdout: 'ejected MemoryConfiguration.swift.hbs to templates/MemoryConfiguration.swift.hbs\n', stderr: '' });
    expect((await project.run('generate')).code).toBe(0);
    expect((await project.run('check')).code).toBe(0);

    const template = project.path('templates', 'MemoryConfiguration.swift.hbs');
    writeFileSync(template, readFileSync(template, 'utf8').replace('/// Sizes are in bytes.', '/// Sizes are in bytes. Reviewed by the platform team.'));
    const check = await project.run('check');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('+/// Sizes are in bytes. Reviewed by the platform team.');
    expect((await project.run('generate')).stdout).toBe('wrote generated/MemoryConfiguration.swift\n');
    expect((await project.run('check')).code).toBe(0);

    const again = await project.run('templates', 'eject', 'MemoryConfiguration.swift.hbs');
    expect(again).toEqual({ code: 2, stdout: '', stderr: 'memtier: error: templates/MemoryConfiguration.swift.hbs already exists; memtier never overwrites an ejected template\n' });
  });

  it('says where to point output.templates when the policy has none, and refuses unknown names', async () => {
    project = makeProject();
    const result = await project.run('templates', 'eject', 'DeviceMemoryTier', '--to', 'ios/templates');
    expect(result.stdout).toBe('ejected DeviceMemoryTier.swift.hbs to ios/templates/DeviceMemoryTier.swift.hbs\nset output.templates: ios/templates in the policy so that generate and check use it\n');
    expect((await project.run('templates', 'eject', 'DeviceMemoryTeir')).stderr).toBe('memtier: error: no built-in template "DeviceMemoryTeir"; did you mean DeviceMemoryTier.swift?\n');
    expect((await project.run('templates', 'remove')).stderr).toBe('memtier: error: memtier templates takes list or eject NAME; see memtier templates --help\n');
  });

  it('a template that replaces nothing is an error, and nothing is written', async () => {
    project = makeProject({ 'tiers.yaml': withTemplates, 'templates/Extra.swift.hbs': '// extra\n' });
    const result = await project.run('generate');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^memtier: error: templates\/Extra\.swift\.hbs does not replace a built-in template; its name must be one of DeviceMemoryTier\.swift\.hbs, /);
  });

  it('gives custom templates the Swift helpers', () => {
    const handlebars = Handlebars.create();
    registerSwiftHelpers(handlebars);
    const render = (source: string, data: object) => handlebars.compile(source, { noEscape: true })(data);
    expect(render('{{swiftIdentifier name}}', { name: 'default' })).toBe('`default`');
    expect(render('{{swiftIdentifier name}}', { name: '4 GB phones' })).toBe('_4_GB_phones');
    expect(render('{{swiftString text}}', { text: 'say "hi" \\(x)\n' })).toBe('"say \\"hi\\" \\\\(x)\\n"');
    expect(render('{{swiftInt value}}', { value: 2621440000 })).toBe('2_621_440_000');
    expect(render('{{swiftDocComment text}}', { text: 'a\n\nb */' })).toBe('/// a\n///\n/// b */');
    expect(swiftIdentifier('ok_name')).toBe('ok_name');
  });
});

describe('the generated member names memtier\'s rules rely on (src/swift/generated-api.ts)', () => {
  /** The names declared directly in the bodies of `kind name` declarations of a rendered file; private ones apart when asked. */
  async function declaredMembers(source: string, kind: string, name: string, { withPrivate }: { withPrivate: boolean }): Promise<string[]> {
    const root = (await parseSwift(source)).rootNode;
    const declarations = findNodes(root, (node) => node.type === 'class_declaration' && declarationKind(node) === kind && node.childForFieldName('name')?.text === name);
    expect(declarations.length, `${kind} ${name}`).toBeGreaterThan(0);
    const members = declarations.flatMap((declaration) => declaration.childForFieldName('body')?.namedChildren ?? []);
    return members
      .filter((member) => withPrivate || !/^(private|fileprivate)\b/.test(member.text.replace(/^(nonisolated|static|@\w+)\s+/g, '')))
      .flatMap((member) => memberName(member) ?? [])
      .sort();
  }

  const files = new Map(generate(validPolicy(), templates).map((file) => [file.path, file.contents]));

  it('the extension declares exactly the replaced and the added evaluator members', async () => {
    const declared = await declaredMembers(files.get('VLMEvaluator+MemoryPolicy.swift')!, 'extension', 'VLMEvaluator', { withPrivate: false });
    expect(declared).toEqual([...REPLACED_EVALUATOR_MEMBERS, ...ADDED_EVALUATOR_MEMBERS].sort());
  });

  it('GENERATED_TYPE_NAMES names every type the app\'s generated files declare at the top level, and only declared types', async () => {
    const topLevel = async (path: string) => (await parseSwift(files.get(path)!)).rootNode.namedChildren
      .filter((node) => (node.type === 'class_declaration' && declarationKind(node) !== 'extension') || node.type === 'protocol_declaration')
      .map((node) => node.childForFieldName('name')!.text);
    const app = (await Promise.all([...files.keys()].filter((path) => !path.startsWith('Tests/')).map(topLevel))).flat();
    expect(app.length).toBeGreaterThan(10);
    for (const name of app) expect(GENERATED_TYPE_NAMES, name).toContain(name);
    const stress = await topLevel('Tests/MemoryStressTest.swift');
    for (const name of GENERATED_TYPE_NAMES) expect([...app, ...stress], name).toContain(name);
  });

  it('DeviceMemoryTier declares the members a tier name may not take (with those Swift synthesises)', async () => {
    const declared = await declaredMembers(files.get('DeviceMemoryTier.swift')!, 'enum', 'DeviceMemoryTier', { withPrivate: true });
    const synthesised = ['allCases', 'hashValue', 'rawValue'];
    // Cases (the tier names) aside; `init` and operators are not names a tier could take anyway.
    const named = declared.filter((member) => /^[A-Za-z_]\w*$/.test(member) && !SWIFT_RESERVED_WORDS.has(member) && !validPolicy().tiers.some((tier) => tier.name === member));
    expect([...named, ...synthesised].sort()).toEqual([...DEVICE_MEMORY_TIER_MEMBERS].sort());
  });
});
