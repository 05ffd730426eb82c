// sdk-test.mjs — the official OpenAI and Anthropic SDKs against gaiarouterd
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Run by run.sh with GAIAROUTER_URL and GAIAROUTER_KEY set.  Every request
// goes through the gateway to the mock upstream (mock-upstream.h), whose
// "tool" models answer with the wire fixtures' get_weather tool calls.
// Prints "SDK_REQUESTS <n>" and one "SDK_MODEL <model> <requests>" line per
// model so that run.sh can check the usage table.

import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const url = process.env.GAIAROUTER_URL;
const key = process.env.GAIAROUTER_KEY;
assert.ok(url && key, 'GAIAROUTER_URL and GAIAROUTER_KEY must be set');

// One priced tool model per upstream kind (see run.sh's configuration).
const models = [
  'openai/tool',                      // OpenAI
  'local/tool',                       // OpenAI-compatible
  'anthropic/claude-tool',            // Anthropic
  'google/gemini-tool',               // Gemini
  'openrouter/anthropic/claude-tool', // OpenRouter
];

const counts = new Map();
function count(model) {
  counts.set(model, (counts.get(model) ?? 0) + 1);
}

const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0, timeout: 30000 });
const anthropic = new Anthropic({ baseURL: url, apiKey: key, maxRetries: 0, timeout: 30000 });

const openaiTools = [{
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string' } },
      required: ['city'],
    },
  },
}];
const anthropicTools = [{
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string' } },
    required: ['city'],
  },
}];
const question = "What's the weather in Paris?";

function checkWeatherArgs(args, where) {
  const parsed = typeof args === 'string' ? JSON.parse(args) : args;
  assert.equal(parsed.city, 'Paris', `${where}: city`);
  assert.equal(parsed.unit, 'celsius', `${where}: unit`);
}

async function openaiChat(model) {
  const completion = await openai.chat.completions.create({
    model,
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: question }],
    tools: openaiTools,
    max_tokens: 256,
  });
  count(model);
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.model, model);
  const choice = completion.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls', `${model}: finish_reason`);
  const call = choice.message.tool_calls[0];
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  assert.ok(call.id, `${model}: tool call id`);
  checkWeatherArgs(call.function.arguments, `${model} non-stream`);
  assert.ok(completion.usage.prompt_tokens > 0, `${model}: prompt_tokens`);
  assert.ok(completion.usage.completion_tokens > 0, `${model}: completion_tokens`);
  return call;
}

async function openaiStream(model) {
  const stream = await openai.chat.completions.create({
    model,
    messages: [{ role: 'user', content: question }],
    tools: openaiTools,
    stream: true,
    stream_options: { include_usage: true },
  });
  const calls = [];
  let finish = null;
  let usage = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.equal(chunk.model, model);
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      for (const delta of choice.delta?.tool_calls ?? []) {
        if (calls[delta.index] === undefined) {
          assert.ok(delta.id, `${model}: the first delta of a call has its id`);
          calls[delta.index] = { id: delta.id, name: delta.function?.name, arguments: '' };
        }
        calls[delta.index].arguments += delta.function?.arguments ?? '';
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  count(model);
  assert.ok(chunks > 1, `${model}: chunks`);
  assert.equal(finish, 'tool_calls', `${model}: stream finish_reason`);
  assert.ok(calls.length >= 1, `${model}: streamed tool calls`);
  assert.equal(calls[0].name, 'get_weather');
  checkWeatherArgs(calls[0].arguments, `${model} stream`);
  assert.ok(usage && usage.prompt_tokens > 0, `${model}: stream usage`);
  return calls[0];
}

// The answer to a tool call goes back through the gateway: the upstream
// (which checks tool pairing in its own dialect) must accept it.
async function openaiToolResult(model, call) {
  const completion = await openai.chat.completions.create({
    model,
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: call.name ?? call.function.name, arguments: call.arguments ?? call.function.arguments } }] },
      { role: 'tool', tool_call_id: call.id, content: '{"temp_c":18,"condition":"light rain"}' },
    ],
    tools: openaiTools,
  });
  count(model);
  assert.equal(completion.choices.length, 1);
}

async function anthropicMessage(model) {
  const message = await anthropic.messages.create({
    model,
    max_tokens: 512,
    system: 'Be brief.',
    tools: anthropicTools,
    messages: [{ role: 'user', content: question }],
  });
  count(model);
  assert.equal(message.type, 'message');
  assert.equal(message.role, 'assistant');
  assert.equal(message.stop_reason, 'tool_use', `${model}: stop_reason`);
  const tool = message.content.find((b) => b.type === 'tool_use');
  assert.ok(tool, `${model}: a tool_use block`);
  assert.equal(tool.name, 'get_weather');
  checkWeatherArgs(tool.input, `${model} messages`);
  assert.ok(message.usage.output_tokens > 0, `${model}: output_tokens`);
  return tool;
}

async function anthropicStream(model) {
  const stream = anthropic.messages.stream({
    model,
    max_tokens: 512,
    tools: anthropicTools,
    messages: [{ role: 'user', content: question }],
  });
  let events = 0;
  stream.on('streamEvent', () => { events++; });
  const message = await stream.finalMessage();
  count(model);
  assert.ok(events >= 5, `${model}: stream events`);
  assert.equal(message.stop_reason, 'tool_use', `${model}: stream stop_reason`);
  const tool = message.content.find((b) => b.type === 'tool_use');
  assert.ok(tool, `${model}: a streamed tool_use block`);
  assert.equal(tool.name, 'get_weather');
  checkWeatherArgs(tool.input, `${model} messages stream`);
  return tool;
}

async function anthropicToolResult(model, tool) {
  const message = await anthropic.messages.create({
    model,
    max_tokens: 512,
    tools: anthropicTools,
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: [tool] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: tool.id, content: '18°C, light rain' }] },
    ],
  });
  count(model);
  assert.equal(message.type, 'message');
}

let failures = 0;
async function step(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (err) {
    failures++;
    console.log(`not ok - ${name}: ${err?.stack ?? err}`);
  }
}

for (const model of models) {
  await step(`openai sdk ${model} non-stream`, async () => {
    const call = await openaiChat(model);
    await openaiToolResult(model, call);
  });
  await step(`openai sdk ${model} stream`, async () => {
    const call = await openaiStream(model);
    await openaiToolResult(model, call);
  });
  await step(`anthropic sdk ${model} non-stream`, async () => {
    const tool = await anthropicMessage(model);
    await anthropicToolResult(model, tool);
  });
  await step(`anthropic sdk ${model} stream`, async () => {
    const tool = await anthropicStream(model);
    await anthropicToolResult(model, tool);
  });
}

// Errors keep the SDKs' shapes: an unknown model is a typed 404 for both.
await step('openai sdk unknown model → NotFoundError', async () => {
  await assert.rejects(openai.chat.completions.create({ model: 'nosuch/model', messages: [{ role: 'user', content: 'x' }] }),
    (err) => err instanceof OpenAI.NotFoundError);
  count('nosuch/model');
});
await step('anthropic sdk unknown model → NotFoundError', async () => {
  await assert.rejects(anthropic.messages.create({ model: 'nosuch/model', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    (err) => err instanceof Anthropic.NotFoundError);
  count('nosuch/model');
});

let total = 0;
for (const [model, n] of counts) {
  console.log(`SDK_MODEL ${model} ${n}`);
  total += n;
}
console.log(`SDK_REQUESTS ${total}`);
if (failures > 0) {
  console.log(`${failures} SDK check(s) failed`);
  process.exit(1);
}
