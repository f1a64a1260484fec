// Every file of the app against Make's published schemas (../shared/make-app-schemas, from
// integromat/vscode-apps-sdk @ eda3ce5), with the ajv settings of make-custom-apps.md §6.1.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SCHEMA_BASE = 'https://make-schemas.local/';

/** <repo>/../shared/make-app-schemas, found from packages/make (or its dist). */
export function findSchemaDir(from = __dirname): string {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, '..', 'shared', 'make-app-schemas');
    if (existsSync(join(candidate, 'api.json'))) return candidate;
    dir = join(dir, '..');
  }
  throw new Error('make-app-schemas not found: expected ../shared/make-app-schemas next to the repository');
}

/** Which schema validates which file (the extension's jsonValidation rules). */
export const RULES: ReadonlyArray<[schema: string, pattern: RegExp]> = [
  ['makecomapp.schema.json', /(^|\/)makecomapp\.json$/],
  ['base.json', /base\.iml\.json$/],
  ['api-oauth.json', /oauth-communication\.iml\.json$/],
  ['api.json', /\.(communication|attach|detach|update)\.iml\.json$/],
  ['parameters.json', /\.(params|static-params|mappable-params|interface)\.iml\.json$/],
  ['scopes.json', /\.scope-list\.iml\.json$/],
  ['scope.json', /\.(default-scope|required-scope|scope)\.iml\.json$/],
  ['epoch.json', /\.epoch\.iml\.json$/],
  ['groups.json', /(^|\/)groups\.json$/],
];

export interface FileProblem {
  file: string;
  message: string;
}

export class SchemaValidator {
  private readonly ajv: Ajv;

  constructor(schemaDir = findSchemaDir()) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false });
    addFormats(this.ajv);
    this.ajv.addKeyword({ keyword: 'errorMessage' }).addKeyword({ keyword: 'doNotSuggest' });
    for (const name of readdirSync(schemaDir).filter((n) => n.endsWith('.json'))) {
      const schema = JSON.parse(readFileSync(join(schemaDir, name), 'utf8'));
      // Schema gap (§6.2): shared webhooks need `uid` in their communication, api.json forbids it.
      if (name === 'api.json') schema.definitions.request.properties.uid = { type: 'string' };
      this.ajv.addSchema({ ...schema, $id: `${SCHEMA_BASE}${name}` });
    }
  }

  schemaFor(file: string): string | undefined {
    return RULES.find(([, pattern]) => pattern.test(file))?.[0];
  }

  /** Problems in one file's text (JSONC syntax, then the schema). Files no rule covers only need to parse. */
  validateText(file: string, text: string): FileProblem[] {
    const syntax: ParseError[] = [];
    const data = parse(text, syntax, { allowTrailingComma: false, disallowComments: false });
    if (syntax.length)
      return syntax.map((e) => ({ file, message: `JSONC ${printParseErrorCode(e.error)} at offset ${e.offset}` }));
    const schema = this.schemaFor(file);
    if (!schema) return [];
    const validate = this.ajv.getSchema(`${SCHEMA_BASE}${schema}`) as ValidateFunction;
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e: ErrorObject) => ({
      file,
      message: `${schema}: ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
    }));
  }
}
