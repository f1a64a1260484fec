// Lossless JSON parsing. TikTok's post ids (`publicaly_available_post_id`) are ~19-digit integers,
// beyond Number.MAX_SAFE_INTEGER: JSON.parse would silently round them. This parser keeps every
// integer that is not exactly representable as its decimal string, and never throws.

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses `text` as JSON; integers beyond ±2^53-1 become decimal strings. Never throws. */
export function parseJsonLossless(text: string): JsonParseResult {
  try {
    const parser = new Parser(text);
    parser.skipWhitespace();
    const value = parser.value(0);
    parser.skipWhitespace();
    if (!parser.atEnd()) return { ok: false, error: `unexpected text at position ${parser.pos}` };
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: err instanceof JsonSyntaxError || err instanceof Error ? err.message : 'invalid JSON' };
  }
}

/** The parsed value, or `undefined` when `text` is empty or not JSON. */
export function tryParseJson(text: string): unknown {
  const result = parseJsonLossless(text);
  return result.ok ? result.value : undefined;
}

/** The parser's own failure: caught in parseJsonLossless, so no stack trace to capture (every non-JSON
 * reply, e.g. a gateway's HTML page, ends in one). */
class JsonSyntaxError {
  constructor(readonly message: string) {}
}

const MAX_DEPTH = 512;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipWhitespace(): void {
    const { text } = this;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos++;
    }
  }

  fail(what: string): never {
    throw new JsonSyntaxError(`${what} at position ${this.pos}`);
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const ch = this.text[this.pos];
    if (ch === '{') return this.object(depth);
    if (ch === '[') return this.array(depth);
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(ch === undefined ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(ch)}`);
  }

  object(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a property name');
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      this.skipWhitespace();
      const value = this.value(depth + 1);
      // defineProperty so a "__proto__" key stays plain data (any other key: a plain own property either way).
      if (key === '__proto__')
        Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      else result[key] = value;
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === '}') return result;
      if (next !== ',') this.fail('expected "," or "}"');
    }
  }

  array(depth: number): unknown[] {
    const result: unknown[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      result.push(this.value(depth + 1));
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === ']') return result;
      if (next !== ',') this.fail('expected "," or "]"');
    }
  }

  string(): string {
    const { text } = this;
    let out = '';
    this.pos++;
    for (;;) {
      // A run of plain characters in one slice; quotes, escapes, control characters and the end below.
      let end = this.pos;
      for (let c = text.charCodeAt(end); c >= 0x20 && c !== 0x22 && c !== 0x5c; c = text.charCodeAt(++end));
      if (end > this.pos) {
        out += text.slice(this.pos, end);
        this.pos = end;
      }
      const ch = text[this.pos++];
      if (ch === undefined) this.fail('unterminated string');
      if (ch === '"') return out;
      if (ch === '\\') {
        const esc = this.text[this.pos++]!;
        if (esc === 'u') {
          const hex = this.text.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
        } else if (esc in ESCAPES) {
          out += ESCAPES[esc];
        } else {
          this.fail('bad escape');
        }
      } else if (ch < ' ') {
        this.fail('control character in string');
      } else {
        out += ch;
      }
    }
  }

  number(): number | string {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail('bad number');
    const literal = match[0];
    this.pos += literal.length;
    if (INTEGER.test(literal)) {
      const n = Number(literal);
      return Number.isSafeInteger(n) ? n : literal;
    }
    return Number(literal);
  }
}

const LITERALS: Array<[string, unknown]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];
