/**
 * JSON text -> plain value, plus a locator from key paths back to line:column, for files memtier
 * reads that people may have edited by hand (the on-device stress reports). A strict JSON parser
 * (RFC 8259) of our own: JSON.parse says where it stopped only for some errors, and keeps no
 * positions. Pure: text in, data or a located problem out. Never throws.
 */
import type { Locator } from '../diagnostics/diagnostic.js';
import { lineStarts, positionOf } from './source-positions.js';

/** What parsing produced: the value and its locator, or where and why the text is not JSON. */
export type LoadedJson =
  | { ok: true; data: unknown; locate: Locator }
  | { ok: false; line: number; column: number; message: string };

/** Nesting deeper than this is refused rather than risking the stack. */
const MAX_DEPTH = 200;

/** A value's place in the text: where its key starts (in an object), where the value starts, and its children's places. */
interface Place {
  key?: number;
  value: number;
  children?: Map<string, Place>;
}

class JsonSyntaxError extends Error {
  constructor(readonly offset: number, message: string) {
    super(message);
  }
}

/** Parses `text` (a byte-order mark is accepted) as one JSON value. */
export function loadJson(text: string): LoadedJson {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = lineStarts(source);
  const at = (offset: number) => positionOf(lines, offset);
  const parser = new Parser(source);
  try {
    const { value, place } = parser.document();
    const locate: Locator = (path, options = {}) => at(offsetOf(place, path, options.key ?? false));
    return { ok: true, data: value, locate };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { ok: false, ...at(error.offset), message: error.message };
  }
}

class Parser {
  private index = 0;

  constructor(private readonly text: string) {}

  document(): { value: unknown; place: Place } {
    this.space();
    if (this.index >= this.text.length) throw new JsonSyntaxError(this.index, 'invalid JSON: the file is empty');
    const result = this.value(0);
    this.space();
    if (this.index < this.text.length) throw new JsonSyntaxError(this.index, `invalid JSON: ${this.describe()} after the end of the value`);
    return result;
  }

  private value(depth: number): { value: unknown; place: Place } {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError(this.index, `invalid JSON: nested more than ${MAX_DEPTH} deep`);
    const start = this.index;
    const char = this.text[this.index];
    if (char === '{') return this.object(depth);
    if (char === '[') return this.array(depth);
    if (char === '"') return { value: this.string(), place: { value: start } };
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return { value: this.number(), place: { value: start } };
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.index)) {
        this.index += word.length;
        return { value, place: { value: start } };
      }
    }
    throw new JsonSyntaxError(this.index, `invalid JSON: expected a value, found ${this.describe()}`);
  }

  private object(depth: number): { value: unknown; place: Place } {
    const start = this.index++;
    const value: Record<string, unknown> = {};
    const children = new Map<string, Place>();
    this.space();
    if (this.text[this.index] === '}') {
      this.index++;
      return { value, place: { value: start, children } };
    }
    for (;;) {
      this.space();
      if (this.text[this.index] !== '"') throw new JsonSyntaxError(this.index, `invalid JSON: expected a key in double quotes, found ${this.describe()}`);
      const keyOffset = this.index;
      const key = this.string();
      if (children.has(key)) throw new JsonSyntaxError(keyOffset, `invalid JSON: the key "${key}" appears twice in one object`);
      this.space();
      if (this.text[this.index] !== ':') throw new JsonSyntaxError(this.index, `invalid JSON: expected ":" after the key "${key}", found ${this.describe()}`);
      this.index++;
      this.space();
      const member = this.value(depth + 1);
      Object.defineProperty(value, key, { value: member.value, enumerable: true, writable: true, configurable: true });
      children.set(key, { ...member.place, key: keyOffset });
      this.space();
      const next = this.text[this.index];
      if (next === ',') {
        const comma = this.index++;
        this.space();
        if (this.text[this.index] === '}') throw new JsonSyntaxError(comma, 'invalid JSON: a comma before "}" (JSON allows no trailing comma)');
        continue;
      }
      if (next === '}') {
        this.index++;
        return { value, place: { value: start, children } };
      }
      throw new JsonSyntaxError(this.index, `invalid JSON: expected "," or "}" after the value of "${key}", found ${this.describe()}`);
    }
  }

  private array(depth: number): { value: unknown; place: Place } {
    const start = this.index++;
    const value: unknown[] = [];
    const children = new Map<string, Place>();
    this.space();
    if (this.text[this.index] === ']') {
      this.index++;
      return { value, place: { value: start, children } };
    }
    for (;;) {
      this.space();
      const item = this.value(depth + 1);
      children.set(String(value.length), item.place);
      value.push(item.value);
      this.space();
      const next = this.text[this.index];
      if (next === ',') {
        const comma = this.index++;
        this.space();
        if (this.text[this.index] === ']') throw new JsonSyntaxError(comma, 'invalid JSON: a comma before "]" (JSON allows no trailing comma)');
        continue;
      }
      if (next === ']') {
        this.index++;
        return { value, place: { value: start, children } };
      }
      throw new JsonSyntaxError(this.index, `invalid JSON: expected "," or "]" after an array element, found ${this.describe()}`);
    }
  }

  private string(): string {
    const start = this.index++;
    let out = '';
    for (;;) {
      const char = this.text[this.index];
      if (char === undefined) throw new JsonSyntaxError(start, 'invalid JSON: a string that is never closed');
      if (char === '"') {
        this.index++;
        return out;
      }
      if (char < ' ') throw new JsonSyntaxError(this.index, 'invalid JSON: a control character (such as a line break) inside a string');
      if (char === '\\') {
        const escape = this.text[this.index + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (escape !== undefined && escape in simple) {
          out += simple[escape];
          this.index += 2;
          continue;
        }
        const hex = this.text.slice(this.index + 2, this.index + 6);
        if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(hex)) {
          out += String.fromCharCode(Number.parseInt(hex, 16));
          this.index += 6;
          continue;
        }
        throw new JsonSyntaxError(this.index, 'invalid JSON: an unknown escape in a string');
      }
      out += char;
      this.index++;
    }
  }

  private number(): number {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.index, this.index + 400));
    if (!match) throw new JsonSyntaxError(this.index, `invalid JSON: expected a number, found ${this.describe()}`);
    const after = this.text[this.index + match[0].length];
    if (after !== undefined && /[\w.]/.test(after)) throw new JsonSyntaxError(this.index, `invalid JSON: ${this.describe()} is not a number as JSON writes one`);
    this.index += match[0].length;
    return Number(match[0]);
  }

  private space(): void {
    while (this.index < this.text.length && ' \t\n\r'.includes(this.text[this.index]!)) this.index++;
  }

  /** What is at the current place, in words. */
  private describe(): string {
    if (this.index >= this.text.length) return 'the end of the file';
    const word = /^[^\s,:{}[\]"]+/.exec(this.text.slice(this.index, this.index + 20))?.[0];
    return word ? `"${word}"` : `"${this.text[this.index]}"`;
  }
}

/** The offset of a key path: the deepest value that exists along it, or its key. */
function offsetOf(root: Place, path: readonly PropertyKey[], wantKey: boolean): number {
  let place = root;
  for (const [index, segment] of path.entries()) {
    const child = place.children?.get(String(segment));
    if (!child) return place.value;
    if (index === path.length - 1 && wantKey && child.key !== undefined) return child.key;
    place = child;
  }
  return place.value;
}

