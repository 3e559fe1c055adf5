// Checks real answers against docs/openapi.json with a standard JSON Schema
// validator (Ajv, which understands OpenAPI 3.0's `nullable`), and records
// what a session exercised so it can fail on what it never touched.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const kMethods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

// Refusals the server makes before it knows which operation a request is
// for, because the request line or header could not be read within the
// limits (docs/api.md, Limits). The document lists their codes in ErrorCode
// but cannot attach them to an operation the server never reached; their
// bodies are still checked against the Error schema.
const kUnreadableRequestStatuses = new Map([
  [414, 'uri_too_long'],
  [431, 'headers_too_large'],
]);

// Error codes that only a PostgreSQL store can answer, which this
// session (on SQLite) cannot provoke, with the test that does.
const ONLY_ON_POSTGRES = new Map([
  // A COMMIT whose answer was lost: tests/store/postgres_failover_test.cc
  // (CommitCutOffWhileWaitingForTheStandbyIsUnknownNotUnavailable) and the
  // failover test, tests/pg_blackbox/failover_test.cc.
  ['outcome_unknown', 'tests/pg_blackbox/failover_test.cc'],
]);

export class ContractViolation extends Error {
  constructor(message) {
    super(message);
    this.name = 'ContractViolation';
  }
}

// '/api/v1/items/{id}' -> /^\/api\/v1\/items\/[^/]+$/
function templateRegex(template) {
  const escaped = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}$`);
}

function pointerEscape(segment) {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function mediaTypeOf(contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export class Contract {
  constructor(document) {
    this.document = document;
    // Not strict: the document's top level (openapi, info, paths...) is no
    // JSON Schema; Ajv compiles the schemas under it that a check points at.
    // Typos in those schemas are the linter's job (openapi_lint).
    this.ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
    // int32/int64 are OpenAPI's names for ranges the schemas already bound.
    this.ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
    this.ajv.addFormat('int32', { type: 'number', validate: Number.isInteger });
    this.ajv.addSchema(document, 'openapi.json');
    this.validators = new Map();

    // Longest literal templates first, so '/api/v1/items' never matches as a
    // template with a parameter.
    this.paths = Object.keys(document.paths)
      .map((template) => ({ template, regex: templateRegex(template) }))
      .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));

    this.exercised = new Set(); // 'POST /api/v1/items'
    this.errorCodesSeen = new Set();
    this.answersChecked = 0;
  }

  operations() {
    const out = [];
    for (const [template, item] of Object.entries(this.document.paths)) {
      for (const method of Object.keys(item)) {
        if (kMethods.includes(method)) out.push(`${method.toUpperCase()} ${template}`);
      }
    }
    return out;
  }

  errorCodes() {
    return this.document.components.schemas.ErrorCode.enum;
  }

  // The validator of the schema at a JSON pointer into the document.
  validatorAt(pointer) {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`openapi.json#${pointer}`);
      if (!validate) throw new ContractViolation(`no schema at ${pointer}`);
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  validateAt(pointer, value, what) {
    const validate = this.validatorAt(pointer);
    if (!validate(value)) {
      const errors = validate.errors
        .map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`)
        .join('; ');
      throw new ContractViolation(`${what} does not match ${pointer}: ${errors}\n  value: ${JSON.stringify(value).slice(0, 600)}`);
    }
  }

  matchPath(path) {
    return this.paths.find(({ regex }) => regex.test(path))?.template;
  }

  // Checks one answer: { status, headers (lower-case names), body (string) }
  // to `method` `target` (path and query). Throws ContractViolation.
  check(method, target, answer) {
    this.answersChecked += 1;
    const path = target.split('?')[0];
    const what = `${method} ${target.slice(0, 80)} -> ${answer.status}`;
    const template = this.matchPath(path);

    if (kUnreadableRequestStatuses.has(answer.status)) {
      this.checkErrorBody(what, answer, kUnreadableRequestStatuses.get(answer.status));
      return;
    }
    if (template === undefined) {
      // The document's description: an unknown path is 404 not_found, resource `route`.
      if (answer.status !== 404) throw new ContractViolation(`${what}: no documented path matches`);
      const error = this.checkErrorBody(what, answer, 'not_found');
      if (error.resource !== 'route') throw new ContractViolation(`${what}: resource is ${error.resource}, not route`);
      return;
    }
    const pathItem = this.document.paths[template];
    const operation = pathItem[method.toLowerCase()];
    if (operation === undefined) {
      // A known path with another method: 405 with the documented methods in Allow.
      if (answer.status !== 405) throw new ContractViolation(`${what}: ${method} is not documented for ${template}`);
      this.checkErrorBody(what, answer, 'method_not_allowed');
      const documented = Object.keys(pathItem).filter((m) => kMethods.includes(m)).map((m) => m.toUpperCase()).sort();
      const allowed = (answer.headers.allow ?? '').split(',').map((m) => m.trim()).filter(Boolean).sort();
      if (allowed.join(',') !== documented.join(',')) {
        throw new ContractViolation(`${what}: Allow is "${answer.headers.allow}", the document has ${documented.join(', ')}`);
      }
      return;
    }

    this.exercised.add(`${method.toUpperCase()} ${template}`);
    const status = String(answer.status);
    const responseKey = [status, `${status[0]}XX`, 'default'].find((key) => key in operation.responses);
    if (responseKey === undefined) {
      throw new ContractViolation(`${what}: status ${status} is not documented for ${method.toUpperCase()} ${template} (documented: ${Object.keys(operation.responses).join(', ')})`);
    }
    const responsePointer = `/paths/${pointerEscape(template)}/${method.toLowerCase()}/responses/${responseKey}`;
    const response = this.resolve(operation.responses[responseKey]);
    this.checkHeaders(what, answer, response, responsePointer);

    const content = response.content ?? {};
    const mediaType = mediaTypeOf(answer.headers['content-type']);
    if (Object.keys(content).length === 0) {
      if (answer.body.length > 0) throw new ContractViolation(`${what}: a body where the document has none`);
      return;
    }
    if (!(mediaType in content)) {
      throw new ContractViolation(`${what}: Content-Type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`);
    }
    if (mediaType !== 'application/json') return; // text: the schema says string
    const body = this.parseJson(what, answer.body);
    const schemaPointer = this.schemaPointer(operation.responses[responseKey], responsePointer, mediaType);
    this.validateAt(schemaPointer, body, what);
    if (answer.status >= 400) this.errorCodesSeen.add(body.error.code);
  }

  // Where a response's schema is, following the response's own $ref.
  schemaPointer(response, responsePointer, mediaType) {
    const base = response.$ref ? response.$ref.slice(1) : responsePointer;
    return `${base}/content/${pointerEscape(mediaType)}/schema`;
  }

  resolve(node) {
    if (!node.$ref) return node;
    return node.$ref
      .slice(2)
      .split('/')
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce((at, key) => at[key], this.document);
  }

  checkHeaders(what, answer, response, responsePointer) {
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const spec = this.resolve(header);
      const value = answer.headers[name.toLowerCase()];
      if (value === undefined) {
        if (spec.required) throw new ContractViolation(`${what}: required header ${name} is missing`);
        continue;
      }
      const schema = this.resolve(spec.schema);
      const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value) : value;
      const pointer = header.$ref ? `${header.$ref.slice(1)}/schema` : `${responsePointer}/headers/${pointerEscape(name)}/schema`;
      this.validateAt(pointer, typed, `${what}: header ${name}`);
    }
  }

  parseJson(what, text) {
    try {
      return JSON.parse(text);
    } catch {
      throw new ContractViolation(`${what}: the body is not JSON: ${text.slice(0, 200)}`);
    }
  }

  checkErrorBody(what, answer, expectedCode) {
    if (mediaTypeOf(answer.headers['content-type']) !== 'application/json') {
      throw new ContractViolation(`${what}: an error answer must be application/json`);
    }
    const body = this.parseJson(what, answer.body);
    this.validateAt('/components/schemas/Error', body, what);
    if (body.error.code !== expectedCode) {
      throw new ContractViolation(`${what}: code ${body.error.code}, expected ${expectedCode}`);
    }
    this.errorCodesSeen.add(body.error.code);
    return body.error;
  }

  // What the document has and the session never did, as readable lines.
  uncovered() {
    const missing = [];
    for (const operation of this.operations()) {
      if (!this.exercised.has(operation)) missing.push(`route never exercised: ${operation}`);
    }
    for (const code of this.errorCodes()) {
      if (this.errorCodesSeen.has(code) || ONLY_ON_POSTGRES.has(code)) continue;
      missing.push(`error code never answered: ${code}`);
    }
    return missing;
  }
}
