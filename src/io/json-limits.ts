// Limits on JSON that comes from a file (a saved model, a tfjs model.json): how deeply it nests
// and how many items it has. Both are checked without recursion and before anything else walks,
// copies or prints the value, so a few kilobytes of `[[[[…]]]]` cannot overflow the stack of a
// recursive walk (String(), JSON.stringify, a validator) and a 16 MB `[{},{},…]` is refused
// before JSON.parse turns it into millions of objects. Pure functions that return what is wrong
// (or undefined): the callers throw their own FormatError (the tfjs entry bundles this file
// but must throw the FormatError class of 'wasmnet').

/** The deepest nesting of arrays and objects accepted (a saved model nests 5 deep, a Keras 3
 *  model.json about 15). */
export const MAX_JSON_DEPTH = 64;
/** The most items (arrays, objects, and the members after their first) accepted in one JSON
 *  document: about 3 MB of `[{},{},…]`, far more than a dense model's JSON holds. */
export const MAX_JSON_ITEMS = 1_000_000;

// (literal numbers: the main entry's size budget is tight; a test checks they match the limits)
const tooDeep = 'is nested deeper than 64 levels (the JSON depth limit)';
const tooMany = 'has more than 1000000 items (the JSON size limit)';

/** Checks JSON text before it is parsed: one pass, no allocation; strings (and their escapes)
 *  are skipped. Text that is not JSON passes or fails here, and JSON.parse then decides. */
export function jsonTextProblem(text: string): string | undefined {
  let depth = 0;
  let items = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c) i++; // a backslash: skip the character it escapes
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) return tooDeep;
      if (++items > MAX_JSON_ITEMS) return tooMany;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && ++items > MAX_JSON_ITEMS) return tooMany;
  }
  return undefined;
}

/** Checks an already parsed value (an object passed instead of text) the same way, without
 *  recursion, in time linear in its distinct objects: each object is walked once, so an object
 *  that contains itself ends the walk instead of looping, and shared sub-objects cost once.
 *  (JSON text is a tree; only objects built in code share or cycle, and those are walked once
 *  from where they are first met.) */
export function jsonValueProblem(value: unknown): string | undefined {
  const seen = new Set<unknown>();
  const stack: [unknown, number][] = [[value, 1]];
  let items = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    if (depth > MAX_JSON_DEPTH) return tooDeep;
    seen.add(node);
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (++items > MAX_JSON_ITEMS) return tooMany;
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}
