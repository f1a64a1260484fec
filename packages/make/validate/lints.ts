// Checks across components that Make's schemas cannot express (make-custom-apps.md §6.2, §7.1):
// references between components, IML that parses and uses known variables and functions, parameters
// that exist, directives that suit the module type, error types, and log.sanitize covering secrets.
import { FUNCTIONS } from '../harness/iml/functions';
import { expressionsIn, references } from '../harness/iml/evaluate';
import { MAKE_ERROR_TYPES } from '../generator/spec/errors';
import type { Component, ComponentType, LoadedApp } from '../harness/load-app';
import { REDACT_FUNCTION } from '../generator/spec/responses';

/** Make's limit on a custom function's code (make-custom-apps.md §4.5). */
const MAX_FUNCTION_CHARS = 5000;

export interface LintProblem {
  component: string;
  message: string;
}

const ALWAYS = ['now', 'uuid', 'timestamp', 'emptyarray', 'environment', 'scenario', 'common', 'temp', 'metadata'];
const AFTER_REQUEST = ['body', 'headers', 'statusCode'];
/** Variable roots each component type may use (§4.4). */
const ROOTS: Record<ComponentType | 'base', readonly string[]> = {
  base: [...ALWAYS, ...AFTER_REQUEST, 'parameters', 'connection', 'data', 'item', 'iterate', 'output'],
  module: [
    ...ALWAYS,
    ...AFTER_REQUEST,
    'parameters',
    'connection',
    'data',
    'item',
    'iterate',
    'output',
    'trigger',
    'payload',
  ],
  rpc: [...ALWAYS, ...AFTER_REQUEST, 'parameters', 'connection', 'data', 'item', 'iterate', 'output'],
  connection: [...ALWAYS, ...AFTER_REQUEST, 'parameters', 'connection', 'data', 'oauth', 'query'],
  webhook: [...ALWAYS, 'body', 'headers', 'query', 'method', 'connection', 'parameters', 'item', 'webhook'],
  function: [],
  endpoint: [],
};

const ALLOWED_ERROR_TYPES = new Set<string>(MAKE_ERROR_TYPES);

function walk(
  value: unknown,
  visit: (node: Record<string, unknown>, path: string[]) => void,
  path: string[] = [],
): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, visit, [...path, String(i)]));
  else if (value && typeof value === 'object') {
    visit(value as Record<string, unknown>, path);
    for (const [k, v] of Object.entries(value)) walk(v, visit, [...path, k]);
  }
}

/** Parameter names a parameter list declares, nested options included. */
export function declaredParams(list: unknown, out = new Set<string>()): Set<string> {
  if (!Array.isArray(list)) return out;
  for (const p of list) {
    if (!p || typeof p !== 'object') continue;
    const param = p as Record<string, unknown>;
    if (typeof param.name === 'string') out.add(param.name);
    if (Array.isArray(param.nested)) declaredParams(param.nested, out);
    if (Array.isArray(param.options))
      for (const o of param.options)
        if (o && typeof o === 'object' && Array.isArray((o as Record<string, unknown>).nested))
          declaredParams((o as Record<string, unknown>).nested, out);
  }
  return out;
}

/** Every request object in a communication (a request, an array of them, or OAuth sections). */
function requestsOf(c: Component): Array<Record<string, unknown>> {
  const comm = c.code.communication;
  if (!comm) return [];
  if (c.type === 'connection' && c.meta.connectionType === 'oauth' && !Array.isArray(comm))
    return Object.values(comm as Record<string, Record<string, unknown>>).filter((r) => r && typeof r === 'object');
  return (Array.isArray(comm) ? comm : [comm]) as Array<Record<string, unknown>>;
}

export function lintApp(app: LoadedApp, opts: { secretFiles?: ReadonlySet<string> } = {}): LintProblem[] {
  const problems: LintProblem[] = [];
  const report = (component: string, message: string) => problems.push({ component, message });
  const ids = (type: ComponentType) => new Set(app.components.filter((c) => c.type === type).map((c) => c.id));
  const connections = ids('connection');
  const webhooks = ids('webhook');
  const rpcs = ids('rpc');

  for (const missing of app.missing)
    if (!opts.secretFiles?.has(missing)) report('makecomapp.json', `names ${missing}, which does not exist`);

  // IML in the base.
  const custom = ids('function');
  lintIml('general/base', app.base, ROOTS.base, custom, report);

  const sanitizeBase = ((app.base.log as Record<string, unknown> | undefined)?.sanitize ?? []) as string[];

  for (const c of app.components) {
    const name = `${c.type} ${c.id}`;
    const m = c.meta;
    if (
      (c.type === 'module' || c.type === 'rpc' || c.type === 'webhook') &&
      m.connection &&
      !connections.has(m.connection)
    )
      report(name, `connection "${m.connection}" does not exist`);
    if (c.type === 'module' && m.moduleType === 'instant_trigger') {
      if (!m.webhook) report(name, 'an instant trigger must name its webhook');
      else if (!webhooks.has(m.webhook)) report(name, `webhook "${m.webhook}" does not exist`);
    }
    if (c.type === 'webhook' && m.webhookType === 'web-shared') {
      if (!m.connection) report(name, 'a shared webhook needs a connection (Make routes events by the connection uid)');
      const comm = c.code.communication as Record<string, unknown> | undefined;
      if (!comm?.uid) report(name, 'a shared webhook communication must extract uid');
      const conn = app.components.find((x) => x.type === 'connection' && x.id === m.connection);
      const info = (conn?.code.communication as Record<string, Record<string, Record<string, unknown>>> | undefined)
        ?.info;
      if (conn && !info?.response?.uid)
        report(name, `connection "${m.connection}" must set info.response.uid for shared-webhook routing`);
    }

    // rpc:// targets anywhere in the component's parameters.
    walk(c.code, (node) => {
      for (const v of Object.values(node))
        if (typeof v === 'string' && v.startsWith('rpc://')) {
          const target = v.slice('rpc://'.length).split('?')[0]!;
          if (!rpcs.has(target)) report(name, `options point at rpc://${target}, which does not exist`);
        }
    });

    // IML: parses, known functions, allowed roots (a dedicated webhook's attach/detach too).
    lintIml(name, c.code.communication, ROOTS[c.type], custom, report);
    lintIml(name, [c.code.attach, c.code.detach], [...ROOTS.webhook, ...AFTER_REQUEST], custom, report);

    // Custom functions: Make's size limit, and the code declares the function it is named after.
    if (c.type === 'function') {
      const code = typeof c.code.code === 'string' ? c.code.code : '';
      if (!new RegExp(`\\bfunction\\s+${c.id}\\s*\\(`).test(code)) report(name, `code must declare function ${c.id}()`);
      if (code.length > MAX_FUNCTION_CHARS)
        report(name, `code has ${code.length} characters; Make allows ${MAX_FUNCTION_CHARS}`);
    }

    // parameters.X must be declared.
    if (c.type !== 'function' && c.type !== 'endpoint' && !(c.type === 'connection' && m.connectionType === 'oauth')) {
      const declared = declaredParams(c.code.staticParams);
      declaredParams(c.code.mappableParams, declared);
      declaredParams(c.code.params, declared);
      for (const expr of expressionsIn([c.code.communication, c.code.attach]))
        for (const m2 of expr.matchAll(/\bparameters\.([A-Za-z_$][\w$]*)/g))
          if (!declared.has(m2[1]!)) report(name, `uses parameters.${m2[1]}, which no parameter declares`);
    }

    // Directives that suit the module type.
    if (c.type === 'module') {
      const requests = requestsOf(c);
      const hasTrigger = requests.some((r) => (r.response as Record<string, unknown> | undefined)?.trigger);
      if (m.moduleType === 'trigger' && !hasTrigger) report(name, 'a polling trigger needs response.trigger');
      if (m.moduleType !== 'trigger' && hasTrigger) report(name, 'response.trigger is only for polling triggers');
      if (m.moduleType === 'trigger' && Array.isArray(c.code.mappableParams) && c.code.mappableParams.length)
        report(name, 'triggers take static parameters only');
      if (
        m.moduleType === 'instant_trigger' &&
        requests.some((r) => r.pagination || (r.response as Record<string, unknown> | undefined)?.iterate)
      )
        report(name, 'an instant trigger request may not iterate or paginate');
      if (m.moduleType === 'universal' && requests.some((r) => typeof r.url === 'string' && !r.url.startsWith('/')))
        report(name, 'the universal module must use a relative URL');
      if (
        m.moduleType === 'action' &&
        requests.some((r) => (r.response as Record<string, unknown> | undefined)?.iterate)
      )
        report(name, 'an action returns one bundle: use a search to iterate');
    }

    // Error types: literals only from Make's list, never UnexpectedError.
    for (const expr of expressionsIn(c.code.communication))
      for (const lit of expr.matchAll(/'([A-Za-z]+Error)'/g))
        if (!ALLOWED_ERROR_TYPES.has(lit[1]!)) report(name, `error type ${lit[1]} is not one the app may use`);
    walk(c.code.communication, (node, path) => {
      if (
        (path.at(-1) === 'error' || path.at(-1) === 'valid') &&
        typeof node.type === 'string' &&
        !node.type.includes('{{') &&
        !ALLOWED_ERROR_TYPES.has(node.type)
      )
        report(name, `error type ${node.type} at ${path.join('.')} is not one the app may use`);
    });

    // log.sanitize covers every secret a request sends or a response returns.
    const requests = [
      ...requestsOf(c),
      ...([c.code.attach, c.code.detach].filter(Boolean) as Array<Record<string, unknown>>),
    ];
    for (const [i, r] of requests.entries()) {
      const sanitize = new Set(
        [
          ...(((r.log as Record<string, unknown> | undefined)?.sanitize ?? []) as string[]),
          ...(c.type === 'connection' ? [] : sanitizeBase),
        ].map((s) => s.toLowerCase()),
      );
      const need = (path: string, why: string) => {
        if (!sanitize.has(path.toLowerCase())) report(name, `request ${i}: log.sanitize must include ${path} (${why})`);
      };
      const body = (r.body ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(body))
        if (typeof v === 'string' && /clientSecret|refreshToken|accessToken|temp\.code/.test(v))
          need(`request.body.${k}`, 'sends a secret');
      const headers = {
        ...((c.type === 'connection' ? {} : app.base.headers) as Record<string, unknown>),
        ...((r.headers ?? {}) as Record<string, unknown>),
      };
      for (const [k, v] of Object.entries(headers))
        if (typeof v === 'string' && /accessToken|apiKey/.test(v)) need(`request.headers.${k}`, 'sends a token or key');
      const data = ((r.response as Record<string, unknown> | undefined)?.data ?? {}) as Record<string, unknown>;
      for (const v of Object.values(data))
        for (const m2 of String(v).matchAll(/body\.(access_token|refresh_token|secret)\b/g))
          need(`response.body.${m2[1]}`, 'receives a token');
    }
  }
  return problems;
}

/** TikTok's free text (error.message, error_description) may quote a token back. */
const TIKTOK_FREE_TEXT = /\bbody\.(error\.message|error_description)\b/;

function lintIml(
  name: string,
  value: unknown,
  roots: readonly string[],
  custom: ReadonlySet<string>,
  report: (c: string, m: string) => void,
): void {
  for (const expr of expressionsIn(value)) {
    try {
      const refs = references(expr);
      for (const fn of refs.functions)
        if (fn !== 'if' && !Object.hasOwn(FUNCTIONS, fn) && !custom.has(fn))
          report(name, `IML function ${fn}() is unknown: "${expr.slice(0, 80)}"`);
      if (TIKTOK_FREE_TEXT.test(expr) && !expr.includes(`${REDACT_FUNCTION}(`))
        report(name, `shows TikTok's text without ${REDACT_FUNCTION}(): "${expr.slice(0, 80)}"`);
      for (const root of refs.roots)
        if (!roots.includes(root)) report(name, `IML variable ${root} is not available here: "${expr.slice(0, 80)}"`);
    } catch (err) {
      report(name, (err as Error).message.slice(0, 300));
    }
  }
}
