// JSON text in pieces, for files too large to be one string: the text is exactly JSON.stringify's, made one
// member or element at a time. In: plain data (no toJSON, no cycles). Out: strings whose concatenation is
// JSON.stringify(value) (compact) or JSON.stringify(value, null, 2) (pretty).

/** JSON.stringify(value), with the elements of top-level arrays and of arrays that are members of a
 *  top-level object made one at a time; `element[member]`, when given, stands for JSON.stringify on the
 *  elements of that member (it must give the same text). */
export function* jsonChunks(value: unknown, element: Readonly<Record<string, (x: unknown) => string>> = {}): Generator<string> {
  if (Array.isArray(value)) {
    yield* arrayChunks(value);
    return;
  }
  if (typeof value !== 'object' || value === null) {
    yield JSON.stringify(value) ?? 'null';
    return;
  }
  yield '{';
  let first = true;
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    yield `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    if (Array.isArray(v)) yield* arrayChunks(v, Object.hasOwn(element, k) ? element[k] : undefined);
    else yield JSON.stringify(v);
  }
  yield '}';
}

function* arrayChunks(xs: readonly unknown[], one?: (x: unknown) => string): Generator<string> {
  yield '[';
  for (let i = 0; i < xs.length; i++) yield `${i === 0 ? '' : ','}${(one ? one(xs[i]) : JSON.stringify(xs[i])) ?? 'null'}`;
  yield ']';
}

/** JSON.stringify(xs, null, 2) of an array, one element at a time. */
export function* prettyArrayChunks(xs: readonly unknown[]): Generator<string> {
  if (xs.length === 0) {
    yield '[]';
    return;
  }
  yield '[\n';
  for (let i = 0; i < xs.length; i++) {
    // raw newlines in JSON text are only its layout (string contents are escaped): indent each by one level
    const text = (JSON.stringify(xs[i], null, 2) ?? 'null').replace(/\n/g, '\n  ');
    yield `${i === 0 ? '' : ',\n'}  ${text}`;
  }
  yield '\n]';
}
