// The daemon against its own OpenAPI document (GET /v1/openapi.json):
//   1. the document passes Redocly's lint (recommended rules, redocly.yaml);
//   2. each operation's example request is sent, in document order, and
//      its answer has a documented status and fits that status's schema
//      (Ajv, JSON Schema 2020-12), 2xx unless the operation names another
//      (x-example-status);
//   3. mutated copies of each example are refused with 400: an unknown
//      field and a wrong type in a JSON body, an unknown query parameter,
//      a word for a number in the query. So an empty schema cannot pass.
// Usage: node contract.mjs <base url> <bearer token>
// Talks only to the base url (a test daemon on 127.0.0.1); every wait is bounded.
import { lintFromString, createConfig } from '@redocly/openapi-core';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [base, token] = process.argv.slice(2);
if (!base || !token) {
  console.error('usage: node contract.mjs <base url> <bearer token>');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const failures = [];
const fail = (what) => { failures.push(what); console.log(`FAIL ${what}`); };
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const runId = Date.now().toString(36);

// --- the document, and Redocly's lint of it --------------------------------
const served = await fetch(`${base}/v1/openapi.json`);
if (served.status !== 200) { console.error(`GET /v1/openapi.json answered ${served.status}`); process.exit(1); }
const text = await served.text();
const doc = JSON.parse(text);

const config = await createConfig(readFileSync(join(here, 'redocly.yaml'), 'utf8'));
const problems = await lintFromString({ source: text, absoluteRef: join(here, 'openapi.json'), config });
for (const p of problems) {
  const where = p.location?.[0]?.pointer ?? '';
  const line = `lint ${p.severity} ${p.ruleId}: ${p.message} at ${where}`;
  if (p.severity === 'error') fail(line); else console.log(`warn ${line}`);
}
console.log(`lint: ${problems.length} remarks, ${problems.filter((p) => p.severity === 'error').length} errors`);

// --- schemas ---------------------------------------------------------------
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// Each schema is checked with the document's components beside it, so its
// "#/components/schemas/…" references resolve as they do in the document.
const validators = new Map();
function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!validators.has(key)) validators.set(key, ajv.compile({ ...schema, components: doc.components }));
  return validators.get(key);
}
const deref = (x) => {
  while (x && x.$ref) x = x.$ref.split('/').slice(1).reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  return x;
};

// --- sending ---------------------------------------------------------------
const made = new Map(); // a collection's path -> the id its POST returned

function pathFor(path, parameters) {
  return path.replace(/\{([^}]+)\}/g, (_, name, offset) => {
    const collection = path.slice(0, offset - 1);
    if (made.has(collection)) return encodeURIComponent(made.get(collection));
    const p = parameters.find((q) => q.in === 'path' && q.name === name);
    if (p?.example === undefined && p?.schema?.example === undefined) throw new Error(`${path}: no example for {${name}}`);
    return encodeURIComponent(p.example ?? p.schema.example);
  });
}

async function send(method, url, { headers = {}, body, stream = false } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), stream ? 3000 : 20000);
  try {
    const response = await fetch(url, { method: method.toUpperCase(), headers, body, signal: controller.signal });
    let payload = '';
    if (stream && (response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      // An event stream may never end: its first event is enough.
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      while (!payload.includes('\n\n')) {
        const { value, done } = await reader.read();
        if (done) break;
        payload += decoder.decode(value, { stream: true });
      }
      controller.abort();
    } else {
      payload = await response.text();
    }
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: payload, headers: response.headers };
  } finally {
    clearTimeout(timer);
  }
}

function checkAnswer(label, operation, answer) {
  const responses = operation.responses ?? {};
  const documented = deref(responses[String(answer.status)] ?? responses.default);
  if (!documented) return fail(`${label}: answered ${answer.status}, which the document does not list (${answer.body.slice(0, 300)})`);
  const media = answer.type.split(';')[0].trim();
  const content = documented.content ?? {};
  if (Object.keys(content).length === 0) {
    if (answer.body.length > 0 && answer.status !== 204) fail(`${label}: ${answer.status} has a body the document does not describe`);
    return;
  }
  if (!content[media]) return fail(`${label}: ${answer.status} came as ${media}; the document says ${Object.keys(content).join(', ')}`);
  if (media === 'text/event-stream' && content[media]['x-event-data']) {
    // The first event's data, against the schema the document gives events.
    const data = answer.body.split('\n').find((line) => line.startsWith('data: '));
    if (!data) return fail(`${label}: the event stream sent no event`);
    const validate = validatorFor(content[media]['x-event-data']);
    if (!validate(JSON.parse(data.slice(6)))) fail(`${label}: its event does not fit the document: ${ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 600)}`);
    return;
  }
  const schema = content[media].schema;
  if (!schema || !media.includes('json')) return;
  let value;
  try { value = JSON.parse(answer.body); } catch { return fail(`${label}: ${answer.status} is not JSON: ${answer.body.slice(0, 200)}`); }
  const validate = validatorFor(schema);
  if (!validate(value)) fail(`${label}: ${answer.status} does not fit the document: ${ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 600)}\n    body: ${answer.body.slice(0, 400)}`);
}

function wrongTypeOf(value) {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number' || typeof value === 'boolean') return 'not-a-' + typeof value;
  if (Array.isArray(value)) return { not: 'an array' };
  return 'not-an-object';
}

let sent = 0, mutants = 0;
for (const [path, item] of Object.entries(doc.paths)) {
  for (const method of Object.keys(item).filter((m) => METHODS.includes(m))) {
    const operation = item[method];
    const label = `${method.toUpperCase()} ${path}`;
    if (operation['x-contract-skip']) { console.log(`skip ${label}: ${operation['x-contract-skip']}`); continue; }
    const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(deref);
    let url;
    try { url = new URL(base + pathFor(path, parameters)); } catch (e) { fail(e.message); continue; }
    const headers = {};
    const open = Array.isArray(operation.security) && operation.security.length === 0;
    if (!open) headers.authorization = `Bearer ${token}`;
    for (const p of parameters) {
      const example = p.example ?? p.schema?.example;
      if (p.in === 'query' && example !== undefined) url.searchParams.set(p.name, String(example));
      if (p.in === 'header' && p.name.toLowerCase() === 'idempotency-key') headers['idempotency-key'] = `${operation.operationId}-${runId}`;
      else if (p.in === 'header' && p.required && example !== undefined) headers[p.name.toLowerCase()] = String(example);
    }
    let body;
    let jsonExample;
    const content = deref(operation.requestBody)?.content ?? {};
    if (content['application/json']?.example !== undefined) {
      jsonExample = content['application/json'].example;
      body = JSON.stringify(jsonExample);
      headers['content-type'] = 'application/json';
    } else {
      const [media, entry] = Object.entries(content).find(([, e]) => e.example !== undefined) ?? [];
      if (media === 'application/x-www-form-urlencoded' && typeof entry.example === 'object') body = new URLSearchParams(entry.example).toString();
      else if (media) body = typeof entry.example === 'string' ? entry.example : JSON.stringify(entry.example);
      if (media) headers['content-type'] = media;
    }

    // Mutants first, so that none of them can change what the example finds.
    const refused = async (what, mutantUrl, mutantBody) => {
      mutants++;
      const answer = await send(method, mutantUrl, { headers, body: mutantBody });
      if (answer.status !== 400) fail(`${label} with ${what}: expected 400, got ${answer.status} ${answer.body.slice(0, 200)}`);
      else checkAnswer(`${label} with ${what}`, operation, answer);
    };
    if (jsonExample && typeof jsonExample === 'object' && !Array.isArray(jsonExample)) {
      await refused('an unknown field', url, JSON.stringify({ ...jsonExample, zz_not_a_field: 1 }));
      const [first] = Object.keys(jsonExample);
      if (first) await refused(`a wrong type at /${first}`, url, JSON.stringify({ ...jsonExample, [first]: wrongTypeOf(jsonExample[first]) }));
    }
    if (!path.startsWith('/v1/webhooks/')) {
      const extra = new URL(url); extra.searchParams.set('zz_not_a_parameter', '1');
      await refused('an unknown query parameter', extra, body);
      const number = parameters.find((p) => p.in === 'query' && ['integer', 'number'].includes(p.schema?.type));
      if (number) {
        const word = new URL(url); word.searchParams.set(number.name, 'many');
        await refused(`a word for ${number.name}`, word, body);
      }
    }

    // The example itself. A DELETE may race the index's catching up with
    // what the example before it made: a few bounded tries.
    const expected = operation['x-example-status'];
    let answer;
    for (let attempt = 0; attempt < 10; attempt++) {
      answer = await send(method, url, { headers, body, stream: true });
      if (!(method === 'delete' && answer.status === 404 && expected !== 404)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    sent++;
    const ok = expected !== undefined ? answer.status === Number(expected) : answer.status >= 200 && answer.status < 300;
    if (!ok) fail(`${label}: expected ${expected ?? '2xx'}, got ${answer.status} ${answer.body.slice(0, 300)}`);
    checkAnswer(label, operation, answer);
    if (method === 'post' && !path.includes('{') && answer.status < 300 && answer.type.includes('json')) {
      const value = JSON.parse(answer.body);
      const id = value.id ?? value.username;
      if (typeof id === 'string') made.set(path, id);
    }
  }
}

console.log(`examples=${sent} mutants=${mutants} failures=${failures.length}`);
process.exit(failures.length === 0 ? 0 : 1);
