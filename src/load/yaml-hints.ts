/**
 * Plain answers for the YAML mistakes people make in a policy file. The `yaml` library's messages
 * describe the parser ("Nested mappings are not allowed in compact mappings"); for the common
 * slips this says what the line means to YAML and how to write it, with the line rewritten.
 */

/** A better message for a YAML error, and where it belongs, or `undefined` to keep the library's. */
export interface YamlHint {
  message: string;
  /** The source offset to report: the value or key the message talks about. */
  offset: number;
}

/** One line of the source, and where it starts. */
interface SourceLine {
  text: string;
  start: number;
}

/** `key: value` on one line, optionally a sequence item (`- key: value`), with a trailing comment. */
const KEY_VALUE = /^(\s*(?:-\s+)?)([^\s:#'"][^:#]*?):[ ]+(.*?)(\s+#.*)?$/;

/**
 * Explains the yaml library's error `code` at `offset` in `source` when it is one of the known
 * mistakes: an unquoted value that holds ": ", a value that starts with a character YAML reserves,
 * a key whose colon has no space after it, and tabs for indentation.
 */
export function yamlHint(code: string, source: string, offset: number): YamlHint | undefined {
  const line = lineAt(source, offset);
  switch (code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
      return quoteTheValue(line, (value) => value.includes(': '), 'contains ": ", which YAML reads as a key');
    case 'BAD_SCALAR_START':
      return quoteTheValue(line, (value) => /^[@`]/.test(value), `starts with "${source[offset] ?? ''}", which YAML reserves`);
    case 'MULTILINE_IMPLICIT_KEY':
      return spaceAfterColon(line);
    case 'TAB_AS_INDENT':
      return { message: 'a tab indents this line; YAML allows only spaces for indentation', offset };
    default:
      return undefined;
  }
}

/** `description: a: b` -> put the value in quotes, with the line as it should read. */
function quoteTheValue(line: SourceLine, matches: (value: string) => boolean, why: string): YamlHint | undefined {
  const match = KEY_VALUE.exec(line.text);
  if (!match) return undefined;
  const [, lead = '', key = '', value = ''] = match;
  if (!matches(value)) return undefined;
  const quoted = quote(value);
  const at = line.start + line.text.indexOf(value, lead.length + key.length + 1);
  return { message: `this value ${why}; put the value in quotes: ${key}: ${quoted}`, offset: at };
}

/**
 * The value in YAML quotes: double quotes, as people expect, unless it holds `"` or `\` (which
 * double quotes would have to escape) and no `'`, then single quotes, which need no escapes.
 */
function quote(value: string): string {
  if (/["\\]/.test(value) && !value.includes("'")) return `'${value}'`;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `cacheLimit:20MiB` -> a key needs a space after its colon. */
function spaceAfterColon(line: SourceLine): YamlHint | undefined {
  const match = /^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):(\S.*)$/.exec(line.text);
  if (!match) return undefined;
  const [, lead = '', key = '', value = ''] = match;
  return {
    message: `"${key}:${value}" has no space after the colon, so YAML does not read ${key} as a key; write ${key}: ${value}`,
    offset: line.start + lead.length,
  };
}

function lineAt(source: string, offset: number): SourceLine {
  const start = offset === 0 ? 0 : source.lastIndexOf('\n', offset - 1) + 1;
  const end = source.indexOf('\n', offset);
  const text = source.slice(start, end === -1 ? source.length : end).replace(/\r$/, '');
  return { text, start };
}
