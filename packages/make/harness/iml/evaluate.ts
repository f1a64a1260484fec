// The subset of Make's IML our app uses: `{{…}}` templates in strings and keys, paths (dots, backticks,
// 1-based and negative [n]), + - * / %, strict comparisons, && || !, calls. A string that is exactly one
// `{{expr}}` keeps the raw value; mixed text concatenates (null/undefined → ""). Semantics follow
// ../shared/reference/make-custom-apps.md §4.4 and §7.2 (our reading; Make's engine is closed source).
import { FUNCTIONS, type ImlEnv } from './functions';

export type Scope = Record<string, unknown>;

type Node =
  | { t: 'lit'; v: unknown }
  | { t: 'path'; root: string; steps: Array<{ key: string } | { index: number }> }
  | { t: 'call'; name: string; args: Node[] }
  | { t: 'un'; op: '!' | '-'; arg: Node }
  | { t: 'bin'; op: string; left: Node; right: Node };

export class ImlError extends Error {
  override readonly name = 'ImlError';
}

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(`[^`]*`)|([A-Za-z_$][\w$]*)|(===|!==|==|!=|<=|>=|&&|\|\||[-+*/%<>!=().,[\]]))/y;

interface Tok {
  kind: 'num' | 'str' | 'tick' | 'id' | 'op';
  text: string;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new ImlError(`IML: unexpected character at ${pos} in "${src}"`);
    pos = TOKEN.lastIndex;
    if (m[1]) out.push({ kind: 'num', text: m[1] });
    else if (m[2]) out.push({ kind: 'str', text: m[2] });
    else if (m[3]) out.push({ kind: 'tick', text: m[3].slice(1, -1) });
    else if (m[4]) out.push({ kind: 'id', text: m[4] });
    else out.push({ kind: 'op', text: m[5]! });
  }
  return out;
}

/** Binary operators by precedence, loosest first. `=` is Make's spelling of `==`. */
const LEVELS: string[][] = [
  ['||'],
  ['&&'],
  ['==', '=', '===', '!=', '!=='],
  ['<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/', '%'],
];

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
  ) {}

  parseAll(): Node {
    const node = this.binary(0);
    if (this.i < this.toks.length) this.fail(`unexpected "${this.toks[this.i]!.text}"`);
    return node;
  }

  private fail(msg: string): never {
    throw new ImlError(`IML: ${msg} in "${this.src}"`);
  }

  private peek(text?: string): Tok | undefined {
    const tok = this.toks[this.i];
    return tok && (text === undefined || (tok.kind === 'op' && tok.text === text)) ? tok : undefined;
  }

  private expect(text: string): void {
    if (!this.peek(text)) this.fail(`expected "${text}"`);
    this.i++;
  }

  private binary(level: number): Node {
    if (level === LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const tok = this.toks[this.i];
      if (!tok || tok.kind !== 'op' || !LEVELS[level]!.includes(tok.text)) return left;
      this.i++;
      left = { t: 'bin', op: tok.text, left, right: this.binary(level + 1) };
    }
  }

  private unary(): Node {
    if (this.peek('!')) return (this.i++, { t: 'un', op: '!', arg: this.unary() });
    if (this.peek('-')) return (this.i++, { t: 'un', op: '-', arg: this.unary() });
    return this.primary();
  }

  private primary(): Node {
    const tok = this.toks[this.i++];
    if (!tok) this.fail('unexpected end');
    if (tok.kind === 'num') return { t: 'lit', v: Number(tok.text) };
    if (tok.kind === 'str') return { t: 'lit', v: tok.text.slice(1, -1).replace(/\\(.)/g, '$1') };
    if (tok.kind === 'op' && tok.text === '(') {
      const inner = this.binary(0);
      this.expect(')');
      return inner;
    }
    if (tok.kind === 'id' || tok.kind === 'tick') {
      // Own keys only: `toString(…)` is a function call, not Object.prototype.toString.
      const literal = tok.kind === 'id' && Object.hasOwn(LITERALS, tok.text) ? LITERALS[tok.text] : undefined;
      if (literal) return { t: 'lit', v: literal.value };
      if (tok.kind === 'id' && this.peek('(')) {
        this.i++;
        const args: Node[] = [];
        if (!this.peek(')')) {
          do args.push(this.binary(0));
          while (this.peek(',') && ++this.i);
        }
        this.expect(')');
        return { t: 'call', name: tok.text, args };
      }
      return this.path(tok.text);
    }
    return this.fail(`unexpected "${tok.text}"`);
  }

  private path(root: string): Node {
    const steps: Array<{ key: string } | { index: number }> = [];
    for (;;) {
      if (this.peek('.')) {
        this.i++;
        const next = this.toks[this.i++];
        if (!next || (next.kind !== 'id' && next.kind !== 'tick' && next.kind !== 'num'))
          this.fail('expected a key after "."');
        steps.push({ key: next.text });
      } else if (this.peek('[')) {
        this.i++;
        const neg = this.peek('-') ? (this.i++, -1) : 1;
        const num = this.toks[this.i++];
        if (!num || num.kind !== 'num') this.fail('expected a number in [ ]');
        this.expect(']');
        steps.push({ index: neg * Number(num.text) });
      } else return { t: 'path', root, steps };
    }
  }
}

const LITERALS: Record<string, { value: unknown }> = {
  true: { value: true },
  false: { value: false },
  null: { value: null },
  undefined: { value: undefined },
};

const parsed = new Map<string, Node>();
function parse(src: string): Node {
  let node = parsed.get(src);
  if (!node) {
    node = new Parser(tokenize(src), src).parseAll();
    parsed.set(src, node);
  }
  return node;
}

/** Throws ImlError when `src` is not a valid expression (used by the spec lints). */
export function checkExpression(src: string): void {
  parse(src);
}

/** Every variable root and function name an expression uses (lints check them per component type). */
export function references(src: string): { roots: Set<string>; functions: Set<string> } {
  const roots = new Set<string>();
  const functions = new Set<string>();
  const walk = (n: Node): void => {
    if (n.t === 'path') roots.add(n.root);
    else if (n.t === 'call') {
      functions.add(n.name);
      n.args.forEach(walk);
    } else if (n.t === 'un') walk(n.arg);
    else if (n.t === 'bin') {
      walk(n.left);
      walk(n.right);
    }
  };
  walk(parse(src));
  return { roots, functions };
}

function step(value: unknown, s: { key: string } | { index: number }): unknown {
  if (value === null || value === undefined) return undefined;
  if ('index' in s) {
    if (!Array.isArray(value)) return undefined;
    return s.index < 0 ? value[value.length + s.index] : value[s.index - 1];
  }
  return (value as Record<string, unknown>)[s.key];
}

/** Dates compare by time; an ISO string compared with a Date is read as a date (stored connection data). */
function comparable(a: unknown, b: unknown): [unknown, unknown] {
  const asTime = (v: unknown, other: unknown) =>
    v instanceof Date
      ? v.getTime()
      : typeof v === 'string' && other instanceof Date && !Number.isNaN(Date.parse(v))
        ? Date.parse(v)
        : v;
  return [asTime(a, b), asTime(b, a)];
}

const BINARY: Record<string, (a: unknown, b: unknown) => unknown> = {
  '==': (a, b) => (([x, y]) => x === y)(comparable(a, b)),
  '!=': (a, b) => (([x, y]) => x !== y)(comparable(a, b)),
  '<': (a, b) => (([x, y]) => (x as number) < (y as number))(comparable(a, b)),
  '<=': (a, b) => (([x, y]) => (x as number) <= (y as number))(comparable(a, b)),
  '>': (a, b) => (([x, y]) => (x as number) > (y as number))(comparable(a, b)),
  '>=': (a, b) => (([x, y]) => (x as number) >= (y as number))(comparable(a, b)),
  '+': (a, b) => (typeof a === 'string' || typeof b === 'string' ? text(a) + text(b) : Number(a) + Number(b)),
  '-': (a, b) => Number(a) - Number(b),
  '*': (a, b) => Number(a) * Number(b),
  '/': (a, b) => Number(a) / Number(b),
  '%': (a, b) => Number(a) % Number(b),
};
BINARY['='] = BINARY['=='] as (a: unknown, b: unknown) => unknown;
BINARY['==='] = BINARY['=='] as (a: unknown, b: unknown) => unknown;
BINARY['!=='] = BINARY['!='] as (a: unknown, b: unknown) => unknown;

/** Truthiness as IML uses it for conditions. */
export function truthy(v: unknown): boolean {
  return !(
    v === false ||
    v === null ||
    v === undefined ||
    v === '' ||
    v === 0 ||
    v === 'false' ||
    (typeof v === 'number' && Number.isNaN(v))
  );
}

function run(node: Node, scope: Scope, env: ImlEnv): unknown {
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'path': {
      const special = Object.hasOwn(env.variables, node.root) ? env.variables[node.root] : undefined;
      let value = Object.hasOwn(scope, node.root) ? scope[node.root] : special ? special() : undefined;
      for (const s of node.steps) value = step(value, s);
      return value;
    }
    case 'un':
      return node.op === '!' ? !truthy(run(node.arg, scope, env)) : -Number(run(node.arg, scope, env));
    case 'bin': {
      if (node.op === '&&') return truthy(run(node.left, scope, env)) && truthy(run(node.right, scope, env));
      if (node.op === '||') return truthy(run(node.left, scope, env)) || truthy(run(node.right, scope, env));
      return BINARY[node.op]!(run(node.left, scope, env), run(node.right, scope, env));
    }
    case 'call': {
      // `if` evaluates only the branch it takes, so guarded paths never run.
      if (node.name === 'if') {
        const [c, a, b] = node.args;
        return truthy(c ? run(c, scope, env) : undefined)
          ? a
            ? run(a, scope, env)
            : undefined
          : b
            ? run(b, scope, env)
            : undefined;
      }
      // Own keys only (a plain object's prototype has toString, valueOf…).
      const fn = Object.hasOwn(env.functions, node.name)
        ? env.functions[node.name]
        : Object.hasOwn(FUNCTIONS, node.name)
          ? FUNCTIONS[node.name]
          : undefined;
      if (!fn) throw new ImlError(`IML: unknown function ${node.name}()`);
      return fn(env, ...node.args.map((a) => run(a, scope, env)));
    }
  }
}

/** How a value appears inside mixed text. */
export function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const WHOLE = /^\{\{([\s\S]*)\}\}$/;
const PART = /\{\{([\s\S]*?)\}\}/g;

export function evaluateString(src: string, scope: Scope, env: ImlEnv): unknown {
  const whole = WHOLE.exec(src);
  if (whole && !whole[1]!.includes('{{') && !whole[1]!.includes('}}')) return run(parse(whole[1]!), scope, env);
  return src.replace(PART, (_m, expr: string) => text(run(parse(expr), scope, env)));
}

/** Evaluates every template in a JSON value: strings, object keys, the `"{{...}}"` spread. */
export function evaluate(value: unknown, scope: Scope, env: ImlEnv): unknown {
  if (typeof value === 'string') return evaluateString(value, scope, env);
  if (Array.isArray(value)) return value.map((v) => evaluate(v, scope, env));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '{{...}}') {
        Object.assign(out, evaluate(v, scope, env) as object);
        continue;
      }
      out[text(evaluateString(k, scope, env))] = evaluate(v, scope, env);
    }
    return out;
  }
  return value;
}

/** Every `{{…}}` expression in a JSON value (for lints). */
export function expressionsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') for (const m of value.matchAll(PART)) out.push(m[1]!);
  else if (Array.isArray(value)) value.forEach((v) => expressionsIn(v, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k !== '{{...}}') expressionsIn(k, out);
      expressionsIn(v, out);
    }
  return out;
}
