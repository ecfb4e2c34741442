/**
 * The lexical scanner that finds `class VLMEvaluator` in files the Swift grammar cannot read:
 * strings, comments, raw and multiline strings and interpolation must not mislead it.
 */
import { describe, expect, it } from 'vitest';
import { findTopLevelClasses, maskOutside } from '../src/patch/swift-source.js';

const found = (source: string, name = 'VLMEvaluator') => findTopLevelClasses(source, name).map((range) => source.slice(range.start, range.end));

describe('finding a top-level class', () => {
  it('takes its attributes and doc comments, and ends at its own closing brace', () => {
    const source = 'import SwiftUI\n\n/// The evaluator.\n@Observable\n@MainActor\nfinal class VLMEvaluator {\n  func a() { if true { } }\n}\n\nstruct After {}\n';
    expect(found(source)).toEqual(['/// The evaluator.\n@Observable\n@MainActor\nfinal class VLMEvaluator {\n  func a() { if true { } }\n}']);
  });

  it('is not misled by braces and the class name in strings, comments, raw and multiline strings, or interpolation', () => {
    const source = [
      'let a = "class VLMEvaluator { }"',
      '// class VLMEvaluator {',
      '/* outer /* nested class VLMEvaluator { */ still a comment } */',
      'let b = #"raw " } { class VLMEvaluator"#',
      'let c = """',
      '  class VLMEvaluator {',
      '  """',
      'class VLMEvaluator {',
      '  let d = "\\(["}": 1]["}"] ?? 0) } \\("nested \\("}")")"',
      '  let e = ##"a "# } "##',
      '  func f() { /* } */ }',
      '}',
      'class VLMEvaluatorTests {}',
    ].join('\n');
    const [range] = findTopLevelClasses(source, 'VLMEvaluator');
    expect(findTopLevelClasses(source, 'VLMEvaluator')).toHaveLength(1);
    expect(source.slice(range!.keyword, range!.end)).toBe(source.slice(source.indexOf('class VLMEvaluator {\n  let d'), source.indexOf('\nclass VLMEvaluatorTests')));
  });

  it('finds one class per #if branch, and classes nested in other types not at all', () => {
    expect(found('#if os(iOS)\nclass VLMEvaluator {}\n#else\nclass VLMEvaluator { }\n#endif\n')).toEqual(['class VLMEvaluator {}', 'class VLMEvaluator { }']);
    expect(found('enum Outer {\n  class VLMEvaluator {}\n}\n')).toEqual([]);
  });

  it('lists every top-level class when no name is given', () => {
    expect(findTopLevelClasses('class A {}\nstruct B {}\nfinal class C: D {\n  class E {}\n}\n').map((range) => range.name)).toEqual(['A', 'C']);
  });

  it('masks everything outside a range with spaces, keeping line breaks and every offset', () => {
    const source = 'let a = 1\r\nclass X {}\nlet b = 2\n';
    const masked = maskOutside(source, source.indexOf('class'), source.indexOf('}') + 1);
    expect(masked).toHaveLength(source.length);
    expect(masked).toBe('         \r\nclass X {}\n         \n');
  });
});
