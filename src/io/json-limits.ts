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

const tooDeep = `is nested deeper than ${MAX_JSON_DEPTH} levels (the JSON depth limit)`;
const tooMany = `has more than ${MAX_JSON_ITEMS} items (the JSON size limit)`;

/** Checks JSON text before it is parsed: one pass, no allocation; strings (and their escapes)
 *  are skipped. Text that is not JSON passes or fails here, and JSON.parse then decides.
 *  Linear: each run of backslashes is counted once, by the quote that follows it. */
export function jsonTextProblem(text: string): string | undefined {
  let depth = 0;
  let items = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: jump to its closing quote (one not escaped by an odd run of backslashes)
      let end = text.indexOf('"', i + 1);
      for (;;) {
        if (end === -1) return undefined; // unterminated: JSON.parse says so
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) return tooDeep;
      if (++items > MAX_JSON_ITEMS) return tooMany;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && ++items > MAX_JSON_ITEMS) return tooMany;
  }
  return undefined;
}

/** Checks an already parsed value (an object passed instead of text) the same way, in time
 *  linear in its distinct objects: each object is walked once (its height remembered), so
 *  shared sub-objects cost nothing twice, and an object that contains itself is refused.
 *  Typed arrays and other ArrayBuffer views are leaves. */
export function jsonValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return undefined;
  const height = new Map<object, number>();
  const open = new Set<object>();
  type Frame = { node: object; children: unknown[]; next: number; height: number };
  const children = (node: object): unknown[] => (Array.isArray(node) ? node : Object.values(node));
  let items = 1;
  const root = value as object;
  const stack: Frame[] = [{ node: root, children: children(root), next: 0, height: 1 }];
  open.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.children.length) {
      stack.pop();
      open.delete(top.node);
      height.set(top.node, top.height);
      const parent = stack[stack.length - 1];
      if (parent) parent.height = Math.max(parent.height, top.height + 1);
      continue;
    }
    const child = top.children[top.next++];
    if (++items > MAX_JSON_ITEMS) return tooMany;
    if (typeof child !== 'object' || child === null || ArrayBuffer.isView(child)) continue;
    const known = height.get(child);
    if (known !== undefined) {
      if (stack.length + known > MAX_JSON_DEPTH) return tooDeep;
      top.height = Math.max(top.height, known + 1);
      continue;
    }
    if (open.has(child)) return 'contains itself (a cycle), which JSON cannot';
    if (stack.length + 1 > MAX_JSON_DEPTH) return tooDeep;
    open.add(child);
    stack.push({ node: child, children: children(child), next: 0, height: 1 });
  }
  return undefined;
}
