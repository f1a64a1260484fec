// What Make checks on a module's input before it runs anything (BundleValidationError): required
// parameters, types, select options, text length and array sizes from `validate`. Nested parameters of a
// chosen select option count only when that option is chosen.
import { MakeError } from './harness';

type Param = Record<string, unknown>;

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

function fail(name: string, problem: string): never {
  throw new MakeError('BundleValidationError', `Validation failed for 1 parameter(s). [${name}] ${problem}`);
}

const TYPE_CHECKS: Record<string, (v: unknown) => string | undefined> = {
  url: (v) => (typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v) ? undefined : 'must be a URL'),
  boolean: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false'),
  uinteger: (v) => (Number.isInteger(Number(v)) && Number(v) >= 0 ? undefined : 'must be a whole number of 0 or more'),
  integer: (v) => (Number.isInteger(Number(v)) ? undefined : 'must be a whole number'),
  array: (v) => (Array.isArray(v) ? undefined : 'must be an array'),
  text: (v) => (typeof v === 'string' || typeof v === 'number' ? undefined : 'must be text'),
  select: () => undefined,
};

export function validateBundle(params: unknown, values: Record<string, unknown>): void {
  if (!Array.isArray(params)) return;
  for (const p of params as Param[]) {
    const name = String(p.name);
    const value = values[name];
    if (isEmpty(value)) {
      if (p.required) fail(name, `Missing value of required parameter '${p.label ?? name}'.`);
      continue;
    }
    const typeProblem = TYPE_CHECKS[String(p.type)]?.(value);
    if (typeProblem) fail(name, typeProblem);
    const validate = (p.validate ?? {}) as Record<string, number> & { pattern?: string };
    if (validate.pattern !== undefined && !new RegExp(validate.pattern).test(String(value)))
      fail(name, `must match ${validate.pattern}`);
    if (p.type === 'text' && validate.max !== undefined && String(value).length > validate.max)
      fail(name, `must be at most ${validate.max} characters`);
    if ((p.type === 'uinteger' || p.type === 'integer') && validate.max !== undefined && Number(value) > validate.max)
      fail(name, `must be at most ${validate.max}`);
    if ((p.type === 'uinteger' || p.type === 'integer') && validate.min !== undefined && Number(value) < validate.min)
      fail(name, `must be at least ${validate.min}`);
    if (p.type === 'array' && Array.isArray(value)) {
      if (validate.maxItems !== undefined && value.length > validate.maxItems)
        fail(name, `must have at most ${validate.maxItems} items`);
      const spec = p.spec as Param | undefined;
      const itemCheck = spec && TYPE_CHECKS[String(spec.type)];
      value.forEach((item, i) => {
        const problem = itemCheck?.(item);
        if (problem) fail(`${name}[${i + 1}]`, problem);
      });
    }
    if (p.type === 'select' && Array.isArray(p.options)) {
      // A multiple select takes an array of the options' values.
      for (const one of p.multiple && Array.isArray(value) ? value : [value]) {
        const chosen = (p.options as Param[]).find((o) => o.value === one);
        if (!chosen) fail(name, `must be one of ${(p.options as Param[]).map((o) => String(o.value)).join(', ')}`);
        validateBundle(chosen.nested, values);
      }
    }
  }
}
