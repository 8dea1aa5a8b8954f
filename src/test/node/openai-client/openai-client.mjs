#!/usr/bin/env node
// Checks what the official OpenAI Node SDK (6.x, pinned in package.json) needs from an OpenAI-compatible server.
//
//   node openai-client.mjs [BASE_URL] [API_KEY]
//
//   BASE_URL  e.g. http://127.0.0.1:18081/v1   (or env OPENAI_BASE_URL; default http://127.0.0.1:18081/v1)
//   API_KEY   the key the server accepts       (or env OPENAI_API_KEY; default "unused").
//             When a key is given in argv or OPENAI_API_KEY, or EXPECT_AUTH=1, the server is taken to require
//             keys and "auth.wrong-key" expects a 401 AuthenticationError; otherwise that check is skipped (ok).
//   MODEL_ID  env, default Qwen/Qwen1.5-0.5B-Chat
//   ONLY      env, comma-separated check names to run (default: all)
//
// Prints one JSON line per check: {"check": name, "ok": bool, "detail": ...} and exits 0 whatever the results
// (exit 2 only for a bad invocation). A caller (e.g. a JUnit test) parses the lines and asserts each ok.
import OpenAI, {
  APIError,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
} from 'openai';
// What zodResponseFormat() builds on, without zod: a response_format the SDK's helpers auto-parse.
import { makeParseableResponseFormat } from 'openai/lib/parser';

const BASE_URL = (process.argv[2] || process.env.OPENAI_BASE_URL || 'http://127.0.0.1:18081/v1').replace(/\/+$/, '');
const GIVEN_KEY = process.argv[3] || process.env.OPENAI_API_KEY || '';
const API_KEY = GIVEN_KEY || 'unused';
const EXPECT_AUTH = !!GIVEN_KEY || process.env.EXPECT_AUTH === '1';
const MODEL = process.env.MODEL_ID || 'Qwen/Qwen1.5-0.5B-Chat';
const ONLY = (process.env.ONLY || '').split(',').map((s) => s.trim()).filter(Boolean);
const TIMEOUT_MS = Number(process.env.CHECK_TIMEOUT_MS || 120_000);

if (!/^https?:\/\//.test(BASE_URL)) {
  console.error(`usage: node openai-client.mjs BASE_URL [API_KEY]   (got '${BASE_URL}')`);
  process.exit(2);
}

// maxRetries 0: a 5xx must show up as-is, not be retried twice and hide what the server said.
const client = new OpenAI({ baseURL: BASE_URL, apiKey: API_KEY, maxRetries: 0, timeout: TIMEOUT_MS });

const SENTIMENTS = ['POSITIVE', 'NEGATIVE', 'NEUTRAL'];
const SENTIMENT_FORMAT = {
  type: 'json_schema',
  json_schema: {
    name: 'sentiment',
    strict: true,
    schema: {
      type: 'object',
      properties: { sentiment: { type: 'string', enum: SENTIMENTS } },
      required: ['sentiment'],
      additionalProperties: false,
    },
  },
};
const HELLO = [{ role: 'user', content: 'Say hello in a few words.' }];
const REVIEW = [
  { role: 'system', content: 'Classify the sentiment of the review.' },
  { role: 'user', content: 'I loved this film, the acting was wonderful.' },
];

class CheckFailed extends Error {
  constructor(message, detail) {
    super(message);
    this.detail = detail;
  }
}

function expect(condition, message, detail) {
  if (!condition) throw new CheckFailed(message, detail);
}

function usageOk(usage, what) {
  expect(usage && typeof usage === 'object', `${what}: no usage object`, { usage });
  for (const f of ['prompt_tokens', 'completion_tokens', 'total_tokens']) {
    expect(Number.isInteger(usage[f]) && usage[f] > 0, `${what}: usage.${f} must be an integer > 0, was ${usage[f]}`, { usage });
  }
  expect(usage.total_tokens === usage.prompt_tokens + usage.completion_tokens,
    `${what}: usage.total_tokens != prompt_tokens + completion_tokens`, { usage });
}

function sentimentOk(text, what) {
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CheckFailed(`${what}: content is not JSON: ${e.message}`, { content: text });
  }
  expect(parsed && typeof parsed === 'object' && !Array.isArray(parsed), `${what}: JSON is not an object`, { content: text });
  expect(SENTIMENTS.includes(parsed.sentiment), `${what}: sentiment not one of ${SENTIMENTS}`, { content: text });
  expect(Object.keys(parsed).length === 1, `${what}: extra properties (additionalProperties:false)`, { content: text });
  return parsed;
}

function describeError(e) {
  const d = { class: e?.constructor?.name, message: String(e?.message ?? e) };
  if (e instanceof APIError) {
    d.status = e.status;
    d.error = e.error;
    d.type = e.type;
    d.param = e.param;
    d.code = e.code;
    d.content_type = e.headers?.get?.('content-type');
  }
  if (e instanceof CheckFailed && e.detail !== undefined) d.detail = e.detail;
  return d;
}

const ANY = Symbol('any non-empty string');

/** The SDK must throw cls with status and an OpenAI error object whose type/param are as given. */
async function expectApiError(promiseFactory, cls, status, { param, type = 'invalid_request_error' } = {}) {
  let result;
  try {
    result = await promiseFactory();
  } catch (e) {
    const d = describeError(e);
    expect(e instanceof cls, `expected ${cls.name}, got ${d.class}: ${d.message}`, d);
    expect(e.status === status, `expected status ${status}, got ${e.status}`, d);
    expect(e.error && typeof e.error === 'object', 'error body has no OpenAI `error` object (SDK error.error is empty)', d);
    expect(typeof e.error.message === 'string' && e.error.message.length > 0, 'error.message missing', d);
    if (type === ANY) expect(typeof e.type === 'string' && e.type.length > 0, 'error.type missing', d);
    else expect(e.type === type, `expected error.type '${type}', got '${e.type}'`, d);
    if (param !== undefined) expect(e.param === param, `expected error.param '${param}', got '${e.param}'`, d);
    return d;
  }
  throw new CheckFailed(`expected ${cls.name} (${status}), but the call succeeded`, { result: summarize(result?.body ?? result) });
}

function summarize(x) {
  try {
    const s = JSON.stringify(x);
    return s && s.length > 600 ? s.slice(0, 600) + '…' : x;
  } catch {
    return String(x);
  }
}

// ---------------------------------------------------------------------------------------------------------------
const checks = [];
const check = (name, fn) => checks.push({ name, fn });

check('chat.plain', async () => {
  const r = await client.chat.completions.create({ model: MODEL, messages: HELLO, max_tokens: 16 });
  expect(r.object === 'chat.completion', `object must be 'chat.completion', was ${r.object}`, r);
  expect(typeof r.id === 'string' && r.id.length > 0, 'id missing', r);
  expect(Number.isInteger(r.created), 'created must be an integer (seconds)', r);
  expect(typeof r.model === 'string' && r.model.length > 0, 'model missing', r);
  expect(Array.isArray(r.choices) && r.choices.length === 1, 'exactly one choice expected', r);
  const c = r.choices[0];
  expect(c.index === 0, 'choices[0].index must be 0', r);
  expect(c.message?.role === 'assistant', "message.role must be 'assistant'", r);
  expect(typeof c.message?.content === 'string' && c.message.content.length > 0, 'message.content must be a non-empty string', r);
  expect(['stop', 'length'].includes(c.finish_reason), `finish_reason must be stop|length, was ${c.finish_reason}`, r);
  usageOk(r.usage, 'usage');
  return { id: r.id, model: r.model, finish_reason: c.finish_reason, usage: r.usage, content: c.message.content };
});

check('chat.stream', async () => {
  const stream = await client.chat.completions.create({
    model: MODEL, messages: HELLO, max_tokens: 16, stream: true, stream_options: { include_usage: true },
  });
  let text = '', chunks = 0, finish = null, usage = null, role = null, ids = new Set(), usageChunks = 0, afterUsage = 0;
  for await (const chunk of stream) {
    chunks++;
    expect(chunk.object === 'chat.completion.chunk', `chunk.object must be chat.completion.chunk, was ${chunk.object}`, chunk);
    ids.add(chunk.id);
    if (usage) afterUsage++;
    if (chunk.usage) {
      usage = chunk.usage;
      usageChunks++;
      expect(Array.isArray(chunk.choices) && chunk.choices.length === 0, 'the usage chunk must have choices: []', chunk);
    }
    for (const c of chunk.choices ?? []) {
      expect(c.index === 0, 'chunk choices[].index must be 0', chunk);
      if (c.delta?.role) role = c.delta.role;
      if (typeof c.delta?.content === 'string') text += c.delta.content;
      if (c.finish_reason) {
        expect(finish === null, 'finish_reason sent twice', chunk);
        finish = c.finish_reason;
      }
    }
  }
  expect(chunks > 0, 'no chunks');
  expect(role === 'assistant', 'no delta.role assistant', { role });
  expect(text.length > 0, 'no content deltas', { chunks });
  expect(['stop', 'length'].includes(finish), `finish_reason must be stop|length, was ${finish}`, { finish });
  expect(ids.size === 1, 'all chunks must share one id', { ids: [...ids] });
  expect(usageChunks === 1 && afterUsage === 0, 'exactly one usage chunk, last before [DONE]', { usageChunks, afterUsage });
  usageOk(usage, 'stream usage');
  return { chunks, finish_reason: finish, usage, content: text };
});

check('json_schema.plain', async () => {
  const r = await client.chat.completions.create({ model: MODEL, messages: REVIEW, response_format: SENTIMENT_FORMAT, max_tokens: 16 });
  const c = r.choices?.[0];
  expect(c && typeof c.message?.content === 'string', 'no message.content', r);
  const parsed = sentimentOk(c.message.content, 'content');
  expect(c.finish_reason === 'stop', `finish_reason must be 'stop' for a complete JSON answer, was ${c.finish_reason}`, r);
  usageOk(r.usage, 'usage');
  return { parsed, finish_reason: c.finish_reason, usage: r.usage };
});

check('json_schema.stream', async () => {
  const stream = await client.chat.completions.create({
    model: MODEL, messages: REVIEW, response_format: SENTIMENT_FORMAT, max_tokens: 16,
    stream: true, stream_options: { include_usage: true },
  });
  let text = '', chunks = 0, finish = null, usage = null;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices ?? []) {
      if (typeof c.delta?.content === 'string') text += c.delta.content;
      if (c.finish_reason) finish = c.finish_reason;
    }
  }
  const parsed = sentimentOk(text, 'concatenated deltas');
  expect(finish === 'stop', `finish_reason must be 'stop', was ${finish}`, { finish });
  usageOk(usage, 'stream usage');
  return { chunks, parsed, usage };
});

check('json_schema.sdk-parse', async () => {
  // client.chat.completions.parse: JSON.parse(content) into message.parsed; throws LengthFinishReasonError
  // when finish_reason is 'length'.
  const r = await client.chat.completions.parse({ model: MODEL, messages: REVIEW, response_format: SENTIMENT_FORMAT, max_tokens: 16 });
  const m = r.choices?.[0]?.message;
  expect(m && m.parsed && SENTIMENTS.includes(m.parsed.sentiment), 'message.parsed.sentiment not in the enum', { message: m });
  expect(r.usage?.completion_tokens > 0, 'usage.completion_tokens must be > 0', { usage: r.usage });
  return { parsed: m.parsed, usage: r.usage };
});

check('json_schema.sdk-parse-nested', async () => {
  // A nested schema (objects in an array, an enum inside an object, integers, numbers, booleans): parse() gets
  // valid JSON every time. No free strings, so the value ends well within max_tokens (parse() throws on 'length').
  const ORDER_FORMAT = {
    type: 'json_schema',
    json_schema: {
      name: 'order',
      strict: true,
      schema: {
        type: 'object',
        properties: {
          order: {
            type: 'object',
            properties: { id: { type: 'integer' }, status: { type: 'string', enum: ['open', 'shipped', 'lost'] }, urgent: { type: 'boolean' } },
            required: ['id', 'status', 'urgent'],
            additionalProperties: false,
          },
          items: {
            type: 'array',
            maxItems: 2,
            items: {
              type: 'object',
              properties: { quantity: { type: 'integer' }, price: { type: 'number' }, gift: { type: 'boolean' } },
              required: ['quantity', 'price', 'gift'],
              additionalProperties: false,
            },
          },
        },
        required: ['order', 'items'],
        additionalProperties: false,
      },
    },
  };
  const r = await client.chat.completions.parse({
    model: MODEL, messages: [{ role: 'user', content: 'Order 558201: two mugs, one a gift. 我的包裹丢了!' }],
    response_format: ORDER_FORMAT, max_tokens: 200, temperature: 1.0,
  });
  const m = r.choices?.[0]?.message;
  const p = m?.parsed;
  expect(p && p.order && Number.isInteger(p.order.id) && ['open', 'shipped', 'lost'].includes(p.order.status)
    && typeof p.order.urgent === 'boolean', 'message.parsed.order does not match the schema', { message: m });
  expect(Array.isArray(p.items) && p.items.length <= 2 && p.items.every((i) => Number.isInteger(i.quantity)
    && typeof i.price === 'number' && typeof i.gift === 'boolean'), 'message.parsed.items does not match the schema', { message: m });
  return { parsed: p, finish_reason: r.choices[0].finish_reason };
});

check('json_schema.sdk-stream-helper', async () => {
  // client.chat.completions.stream(...) (ChatCompletionStream): accumulates chunks into a snapshot and
  // requires finish_reason and delta.role on every choice; with an auto-parseable response_format (what
  // zodResponseFormat makes) finalChatCompletion() JSON-parses the content into message.parsed.
  const runner = client.chat.completions.stream({
    model: MODEL, messages: REVIEW, response_format: makeParseableResponseFormat(SENTIMENT_FORMAT, JSON.parse), max_tokens: 16,
    stream_options: { include_usage: true },
  });
  let deltas = 0;
  runner.on('content.delta', () => deltas++);
  const final = await runner.finalChatCompletion();
  const m = final.choices?.[0]?.message;
  expect(m && typeof m.content === 'string', 'final message has no content', { final: summarize(final) });
  sentimentOk(m.content, 'final content');
  expect(m.parsed && SENTIMENTS.includes(m.parsed.sentiment), 'final message.parsed.sentiment not in the enum', { message: m });
  expect(final.usage?.completion_tokens > 0, 'final usage.completion_tokens must be > 0', { usage: final.usage });
  return { deltas, parsed: m.parsed, usage: final.usage };
});

// A support bot's tool: strict (the SDK's helpers then JSON-parse the arguments into parsed_arguments).
const ORDER_TOOL = {
  type: 'function',
  function: {
    name: 'order_status',
    description: 'Where an order is',
    strict: true,
    parameters: {
      type: 'object',
      properties: { order_id: { type: 'string', maxLength: 12 }, notify: { type: 'boolean' } },
      required: ['order_id', 'notify'],
      additionalProperties: false,
    },
  },
};
const PARCEL = [{ role: 'user', content: 'Where is my parcel A-9? 我的包裹在哪里?' }];

function orderCallOk(call, where) {
  expect(call && call.type === 'function' && typeof call.id === 'string', `${where}: not a function call`, { call });
  expect(call.function?.name === 'order_status', `${where}: name must be order_status`, { call });
  const args = JSON.parse(call.function.arguments);
  // maxLength counts characters (code points), not UTF-16 units
  expect(typeof args.order_id === 'string' && [...args.order_id].length <= 12 && typeof args.notify === 'boolean',
    `${where}: arguments do not match the tool's schema`, { args });
  return args;
}

check('tools.required-roundtrip', async () => {
  // tool_choice required: a call; its result sent back (role tool) with tool_choice none: a text answer.
  const r = await client.chat.completions.create({
    model: MODEL, messages: PARCEL, tools: [ORDER_TOOL], tool_choice: 'required', max_tokens: 40, temperature: 1.0,
  });
  const m = r.choices?.[0]?.message;
  expect(r.choices[0].finish_reason === 'tool_calls', `finish_reason must be tool_calls, was ${r.choices[0].finish_reason}`, { message: m });
  const args = orderCallOk(m?.tool_calls?.[0], 'message.tool_calls[0]');
  const back = await client.chat.completions.create({
    model: MODEL, tools: [ORDER_TOOL], tool_choice: 'none', max_tokens: 8,
    messages: [...PARCEL, m, { role: 'tool', tool_call_id: m.tool_calls[0].id, content: 'Shipped yesterday' }],
  });
  const answer = back.choices?.[0]?.message;
  expect(typeof answer?.content === 'string' && !answer.tool_calls, 'the answer after the result must be text', { answer });
  return { args, answer: answer.content };
});

check('tools.sdk-stream-helper', async () => {
  // client.chat.completions.stream(...) accumulates tool_calls deltas by index, and for a strict tool parses the
  // arguments (parsed_arguments) in finalChatCompletion().
  const runner = client.chat.completions.stream({
    model: MODEL, messages: PARCEL, tools: [ORDER_TOOL], max_tokens: 40, temperature: 1.0,
    tool_choice: { type: 'function', function: { name: 'order_status' } },
  });
  const final = await runner.finalChatCompletion();
  const m = final.choices?.[0]?.message;
  const args = orderCallOk(m?.tool_calls?.[0], 'final message.tool_calls[0]');
  expect(JSON.stringify(m.tool_calls[0].function.parsed_arguments) === JSON.stringify(args),
    'parsed_arguments must be the parsed arguments', { call: m.tool_calls[0] });
  return { args, finish_reason: final.choices[0].finish_reason };
});

check('max_tokens.1', async () => {
  const r = await client.chat.completions.create({ model: MODEL, messages: HELLO, max_tokens: 1 });
  const c = r.choices?.[0];
  expect(r.usage && r.usage.completion_tokens <= 1, `completion_tokens must be <= 1, was ${r.usage?.completion_tokens}`, r.usage);
  expect(['length', 'stop'].includes(c?.finish_reason), `finish_reason must be length|stop, was ${c?.finish_reason}`, r);
  return { finish_reason: c.finish_reason, usage: r.usage, content: c.message?.content };
});

check('max_tokens.1.json_schema', async () => {
  // OpenAI answers a cut-off JSON with finish_reason 'length'. An enum answer has one or a few tokens; what
  // matters is that max_tokens is not ignored and completion_tokens is real.
  const r = await client.chat.completions.create({ model: MODEL, messages: REVIEW, response_format: SENTIMENT_FORMAT, max_tokens: 1 });
  const c = r.choices?.[0];
  expect(r.usage && r.usage.completion_tokens >= 1 && r.usage.completion_tokens <= 1,
    `completion_tokens must be 1, was ${r.usage?.completion_tokens}`, { usage: r.usage, finish_reason: c?.finish_reason, content: c?.message?.content });
  expect(['length', 'stop'].includes(c?.finish_reason), `finish_reason must be length|stop, was ${c?.finish_reason}`, r);
  return { finish_reason: c.finish_reason, usage: r.usage, content: c.message?.content };
});

check('models.list', async () => {
  const ids = [];
  for await (const m of client.models.list()) {
    expect(m.object === 'model', `model.object must be 'model', was ${m.object}`, m);
    ids.push(m.id);
  }
  expect(ids.includes(MODEL), `models.list() does not contain ${MODEL}`, { ids });
  return { ids };
});

check('models.retrieve', async () => {
  // The SDK sends GET /models/Qwen%2FQwen1.5-0.5B-Chat (the slash percent-encoded).
  let m;
  try {
    m = await client.models.retrieve(MODEL);
  } catch (e) {
    throw new CheckFailed(`models.retrieve('${MODEL}') threw ${e?.constructor?.name}: ${e?.message}`, describeError(e));
  }
  expect(m.id === MODEL && m.object === 'model', 'retrieve returned another model', m);
  return m;
});

for (const [field, value] of [['temperature', -1], ['top_p', 0], ['top_p', 1.5]]) {
  check(`error.${field}=${value}`, async () =>
    expectApiError(() => client.chat.completions.create({ model: MODEL, messages: HELLO, max_tokens: 4, [field]: value }),
      BadRequestError, 400, { param: field }));
}

check('error.stream.temperature=-1', async () => {
  // Must be a 400 before the stream starts (the SDK throws from create(), not while iterating).
  let iterated = 0;
  const d = await expectApiError(async () => {
    const s = await client.chat.completions.create({ model: MODEL, messages: HELLO, max_tokens: 4, temperature: -1, stream: true });
    for await (const _ of s) iterated++;
    return { iterated };
  }, BadRequestError, 400, { param: 'temperature' });
  expect(iterated === 0, 'chunks arrived before the error', { iterated });
  return d;
});

check('error.not-found', async () =>
  expectApiError(() => client.get('/nope'), NotFoundError, 404, { type: ANY }));

check('error.method-not-allowed', async () =>
  // 405 has no dedicated SDK class: the SDK throws a plain APIError with status 405.
  expectApiError(() => client.delete('/chat/completions'), APIError, 405, { type: ANY }));

check('error.unsupported-media-type', async () => {
  // The SDK always sends JSON, so this is a raw request: a 415 should still carry OpenAI's error object.
  const res = await fetch(`${BASE_URL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: `Bearer ${API_KEY}` },
    body: 'hello',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  const d = { status: res.status, content_type: res.headers.get('content-type'), body: body ?? text.slice(0, 300) };
  expect(res.status === 415, `expected 415, got ${res.status}`, d);
  expect(body?.error && typeof body.error.message === 'string' && typeof body.error.type === 'string',
    'no OpenAI `error` object with message/type', d);
  return d;
});

check('auth.wrong-key', async () => {
  if (!EXPECT_AUTH) return { skipped: 'no API key given: the server is taken to need none' };
  const wrong = new OpenAI({ baseURL: BASE_URL, apiKey: 'wrong-' + API_KEY, maxRetries: 0, timeout: TIMEOUT_MS });
  return expectApiError(() => wrong.models.list(), AuthenticationError, 401, { type: ANY });
});

check('sse.raw-framing', async () => {
  // What OpenAI writes, byte for byte: "data: {json}\n\n" per chunk and "data: [DONE]\n\n" last.
  const res = await fetch(`${BASE_URL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ model: MODEL, messages: HELLO, max_tokens: 8, stream: true, stream_options: { include_usage: true } }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const ct = res.headers.get('content-type') || '';
  const body = await res.text();
  expect(res.status === 200, `status ${res.status}`, { body: body.slice(0, 400) });
  expect(ct.startsWith('text/event-stream'), `content-type must be text/event-stream, was ${ct}`, { ct });
  const lines = body.split(/\r?\n/);
  const nonEmpty = lines.filter((l) => l.length > 0);
  const bad = nonEmpty.filter((l) => !l.startsWith('data: '));
  const dataLines = nonEmpty.filter((l) => l.startsWith('data:'));
  const last = dataLines[dataLines.length - 1];
  const problems = [];
  if (bad.length) problems.push(`${bad.length} of ${nonEmpty.length} lines do not start with 'data: ' (first: ${JSON.stringify(bad[0].slice(0, 80))})`);
  if (last !== 'data: [DONE]') problems.push(`last data line must be 'data: [DONE]', was ${JSON.stringify(last)}`);
  if (!/\n\n$/.test(body.replace(/\r\n/g, '\n'))) problems.push('stream must end with a blank line');
  for (const l of dataLines.slice(0, -1)) {
    try {
      JSON.parse(l.replace(/^data: ?/, ''));
    } catch {
      problems.push(`data line is not JSON: ${l.slice(0, 80)}`);
      break;
    }
  }
  expect(problems.length === 0, problems.join('; '), { content_type: ct, head: body.slice(0, 300) });
  return { content_type: ct, data_lines: dataLines.length };
});

// ---------------------------------------------------------------------------------------------------------------
const selected = ONLY.length ? checks.filter((c) => ONLY.includes(c.name)) : checks;
for (const { name, fn } of selected) {
  const started = Date.now();
  let line;
  try {
    const detail = await fn();
    line = { check: name, ok: true, detail: detail ?? null };
  } catch (e) {
    line = { check: name, ok: false, detail: describeError(e) };
  }
  line.ms = Date.now() - started;
  process.stdout.write(JSON.stringify(line) + '\n');
}
process.exit(0);
