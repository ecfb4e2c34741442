/**
 * The keys the schema allows at a path, read from the zod schema itself so that
 * "did you mean" suggestions can never drift from the format.
 */
import * as z from 'zod';

/** Known keys of the object schema at `path` (array indexes step into elements), or [] if none. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (current instanceof z.ZodArray && typeof segment === 'number') {
      current = unwrap(current.element as z.ZodType);
    } else if (current instanceof z.ZodObject && typeof segment === 'string') {
      const next: z.ZodType | undefined = (current.shape as Record<string, z.ZodType>)[segment];
      current = next ? unwrap(next) : undefined;
    } else {
      return [];
    }
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** Looks through optional, nullable, default and pipe wrappers to the schema that has the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { innerType?: z.ZodType; in?: z.ZodType };
    const inner = def.innerType ?? def.in;
    if (!inner) return current;
    current = inner;
  }
}
