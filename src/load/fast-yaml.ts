/**
 * The fast way in for ordinary policy YAML: js-yaml's event parser, which is about ten times faster
 * than the `yaml` library's document model on large files (a 4,000-tier policy: 40 ms against
 * 450 ms, see docs/benchmark.md), with the locator built from the events' source offsets.
 *
 * It handles what policies are made of: block and flow mappings and sequences, plain, quoted and
 * block scalars, comments. For anything else it returns `undefined` and load-yaml.ts takes the
 * `yaml` library's path, which reports syntax errors and every YAML problem in its own words:
 * anchors, aliases, tags, directives, explicit keys, several documents, tabs, an empty value in a
 * sequence, and any input js-yaml rejects. The locator answers exactly as the slow path's does
 * (test/fast-yaml.test.ts compares the two on every key of many documents).
 */
import { CORE_SCHEMA, EVENT_ID, SCALAR_STYLE, constructFromEvents, getScalarValue, parseEvents, type Event } from 'js-yaml';

/** Where a node starts, and where its key starts when it is a mapping value. */
interface Place {
  value: number;
  key?: number;
}

/** A collection being read: its path, and for a mapping the key whose value comes next. */
interface Open {
  kind: 'mapping' | 'sequence';
  path: string;
  count: number;
  /** For a mapping: the pending key's text and where it starts, once read. */
  key?: { name: string; start: number; end: number };
}

const SEPARATOR = '\u0000';
/** A plain key that both parsers read as the same string (not a number, boolean or null). */
const PLAIN_KEY = /^(?!(?:true|false|null|True|False|Null|TRUE|FALSE|NULL)$)[A-Za-z_][\w-]*$/;

/** The data and a locator, or `undefined` when the slow path must read this text. */
export function loadYamlFast(source: string): { data: unknown; locate: (path: readonly PropertyKey[], options?: { key?: boolean }) => number } | undefined {
  // Tabs and explicit keys are left to the slow path here; anchors, aliases, tags and directives
  // show in the events below.
  if (source.includes('\t') || /^[ -]*\?(?:[ \r\n]|$)/m.test(source) || source.includes('__proto__')) return undefined;
  let events: Event[];
  let data: unknown;
  try {
    events = parseEvents(source, { maxDepth: 100 });
    const documents = constructFromEvents(events, { source, schema: CORE_SCHEMA, maxAliases: 0 });
    if (documents.length !== 1) return undefined;
    data = documents[0];
  } catch {
    return undefined;
  }
  const places = placesOf(source, events);
  if (!places) return undefined;
  const locate = (path: readonly PropertyKey[], options: { key?: boolean } = {}): number => {
    // The deepest node along the path that exists, as the slow path's locator answers.
    for (let length = path.length; length >= 0; length--) {
      const place = places.get(path.slice(0, length).map(String).join(SEPARATOR));
      if (!place) continue;
      return length === path.length && options.key && place.key !== undefined ? place.key : place.value;
    }
    return 0;
  };
  return { data, locate };
}

/** Every node's start, by path; `undefined` for a construct this reader leaves to the slow path. */
function placesOf(source: string, events: readonly Event[]): Map<string, Place> | undefined {
  const places = new Map<string, Place>();
  const stack: Open[] = [];
  let documents = 0;
  /** Records a node that starts at `start` in the innermost open collection; its path. */
  const enter = (start: number): string | undefined => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      places.set('', { value: start });
      return '';
    }
    if (parent.kind === 'sequence') {
      const path = child(parent.path, String(parent.count++));
      places.set(path, { value: start });
      return path;
    }
    const key = parent.key;
    if (!key) return undefined;
    parent.key = undefined;
    const path = child(parent.path, key.name);
    places.set(path, { value: start, key: key.start });
    return path;
  };
  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        if (++documents > 1 || event.explicitStart || event.directives.length > 0) return undefined;
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const parent = stack[stack.length - 1];
        if (event.anchorStart !== -1 || event.tagStart !== -1 || (parent?.kind === 'mapping' && !parent.key)) return undefined;
        const path = enter(event.start);
        if (path === undefined) return undefined;
        stack.push({ kind: event.type === EVENT_ID.MAPPING ? 'mapping' : 'sequence', path, count: 0 });
        break;
      }
      case EVENT_ID.SCALAR: {
        if (event.anchorStart !== -1 || event.tagStart !== -1) return undefined;
        const parent = stack[stack.length - 1];
        if (parent?.kind === 'mapping' && !parent.key) {
          // A key: its text and where it starts (the quote, for a quoted key).
          if (event.valueStart === -1) return undefined;
          const quoted = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
          if (!quoted && (event.style !== SCALAR_STYLE.PLAIN || !PLAIN_KEY.test(source.slice(event.valueStart, event.valueEnd)))) return undefined;
          parent.key = {
            name: getScalarValue(source, event),
            start: quoted ? event.valueStart - 1 : event.valueStart,
            end: quoted ? event.valueEnd + 1 : event.valueEnd,
          };
          continue;
        }
        const start = scalarStart(source, event, parent);
        if (start === undefined || enter(start) === undefined) return undefined;
        break;
      }
      case EVENT_ID.POP:
        if (stack.pop()?.key) return undefined;
        break;
      default:
        return undefined;
    }
  }
  return places;
}

/**
 * Where the slow path's locator puts a scalar value: its first character, its opening quote, its
 * block indicator, or, for an empty value, just after the key's colon and its spaces.
 */
function scalarStart(source: string, event: Extract<Event, { type: typeof EVENT_ID.SCALAR }>, parent: Open | undefined): number | undefined {
  switch (event.style) {
    case SCALAR_STYLE.SINGLE_QUOTED:
    case SCALAR_STYLE.DOUBLE_QUOTED:
      return event.valueStart - 1;
    case SCALAR_STYLE.LITERAL_BLOCK:
    case SCALAR_STYLE.FOLDED_BLOCK: {
      // The indicator ends the line before the content; content may be absent.
      const before = event.valueStart === -1 ? -1 : source.lastIndexOf('\n', event.valueStart - 1);
      const header = before === -1 ? -1 : Math.max(source.lastIndexOf('|', before), source.lastIndexOf('>', before));
      return header === -1 || source.slice(header, before).includes('\n') ? undefined : header;
    }
    default:
      if (event.valueStart !== -1) return event.valueStart;
      // An empty value: just after the colon that follows its key.
      if (parent?.kind !== 'mapping' || !parent.key) return undefined;
      const colon = source.indexOf(':', parent.key.end);
      if (colon === -1 || source.slice(parent.key.end, colon).trim() !== '') return undefined;
      // The slow path puts it where the line goes on after the colon's spaces (a newline or a comment).
      let at = colon + 1;
      while (source[at] === ' ') at += 1;
      return at;
  }
}

function child(path: string, segment: string): string {
  return path === '' && segment !== '' ? segment : `${path}${SEPARATOR}${segment}`;
}
