// Check fixture models against their reference JSON files.
//  1. transformers.js must tokenize every reference text to exactly the reference input_ids (every
//     folder with a reference.json).
//  2. With --instrumented DIR: onnxruntime-node runs instrumented copies of the models (the attention
//     probabilities also exposed as graph outputs attention.<i>, written by make_fixtures.py or
//     make_flavour_fixtures.py) the way the app does (batch 1, empty past) and must reproduce the
//     reference attention. DIR/manifest.json lists the runs:
//       [{ "label", "folder", "model" (relative to DIR), "reference" (file in the folder),
//          "tolerance", "logits"? (JSON [case][token][vocab] relative to DIR), "logitsTolerance"?,
//          "feeds"? ({ "use_cache_branch": true }) }]
//     Without a manifest, every DIR/<name>.onnx is checked against <name>/reference.json within 1e-5.
// Usage: node tools/check_fixtures.mjs tests/fixtures/models [--instrumented DIR]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';

const TOLERANCE = 1e-5;

function parseArgs(argv) {
	const [root, ...rest] = argv;
	const at = rest.indexOf('--instrumented');
	return { root: path.resolve(root), instrumented: at >= 0 ? path.resolve(rest[at + 1]) : null };
}

function readJson(file) {
	return JSON.parse(readFileSync(file, 'utf8'));
}

function int64(values, dims) {
	return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

/** Past K/V geometry: [kv_heads, head_dim] from config.json. */
function cacheShape(config) {
	if (config.model_type === 'gpt2') return [config.n_head, config.n_embd / config.n_head];
	return [config.num_key_value_heads, config.head_dim ?? config.hidden_size / config.num_attention_heads];
}

function emptyPast(type, config) {
	const [heads, headDim] = cacheShape(config);
	const data = type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
	return new ort.Tensor(type, data, [1, heads, 0, headDim]);
}

function feedsFor(session, config, ids, extra = {}) {
	const n = ids.length;
	const feeds = {};
	session.inputMetadata.forEach(({ name, type }) => {
		if (name === 'input_ids') feeds[name] = int64(ids, [1, n]);
		else if (name === 'attention_mask') feeds[name] = int64(ids.map(() => 1), [1, n]);
		else if (name === 'position_ids') feeds[name] = int64(ids.map((_, i) => i), [1, n]);
		else if (name === 'token_type_ids') feeds[name] = int64(ids.map(() => 0), [1, n]);
		else if (name.startsWith('past_key_values.')) feeds[name] = emptyPast(type, config);
		else if (name === 'use_cache_branch') feeds[name] = new ort.Tensor('bool', [extra.use_cache_branch ?? false], [1]);
		else throw new Error(`unexpected input ${name}`);
	});
	return feeds;
}

function halfToFloat(bits) {
	const sign = bits & 0x8000 ? -1 : 1;
	const exponent = (bits >> 10) & 0x1f;
	const fraction = bits & 0x3ff;
	if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
	if (exponent === 31) return fraction ? NaN : sign * Infinity;
	return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A float32 or float16 output as numbers (onnxruntime-node returns float16 as raw Uint16Array bits). */
function values(tensor) {
	if (tensor.type === 'float16' && tensor.data instanceof Uint16Array) return Array.from(tensor.data, halfToFloat);
	return tensor.data;
}

function maxDifference(actual, expected) {
	if (expected.length !== actual.length) return Infinity;
	let worst = 0;
	for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
	return Number.isNaN(worst) ? Infinity : worst;
}

function sameIds(a, b) {
	return a.length === b.length && a.every((v, i) => Number(v) === b[i]);
}

async function checkTokens(name, cases) {
	const tokenizer = await AutoTokenizer.from_pretrained(name);
	let ok = true;
	for (const { text, input_ids } of cases) {
		const ids = tokenizer.encode(text);
		if (!sameIds(ids, input_ids)) {
			console.error(`${name}: ${JSON.stringify(text)} -> transformers.js ${JSON.stringify(ids)}, reference ${JSON.stringify(input_ids)}`);
			ok = false;
		}
	}
	console.log(`${name}: tokens ${ok ? 'match' : 'DIFFER'} (${cases.map((c) => c.input_ids.length).join(', ')} tokens)`);
	return ok;
}

/** One manifest run: attention (and logits, when given) of every reference case. */
async function checkRun(root, dir, run) {
	const folder = path.join(root, run.folder);
	const config = readJson(path.join(folder, 'config.json'));
	const { cases } = readJson(path.join(folder, run.reference ?? 'reference.json'));
	const expectedLogits = run.logits ? readJson(path.join(dir, run.logits)) : null;
	const session = await ort.InferenceSession.create(path.join(dir, run.model));
	const outputs = session.outputNames.filter((n) => n.startsWith('attention.'));
	let attentionWorst = 0;
	let logitsWorst = 0;
	const types = new Set();
	for (const [index, { input_ids, attention }] of cases.entries()) {
		const results = await session.run(feedsFor(session, config, input_ids, run.feeds));
		if (outputs.length !== attention.length) throw new Error(`${run.label}: ${outputs.length} attention outputs, ${attention.length} layers`);
		outputs.forEach((output, layer) => {
			types.add(results[output].type);
			attentionWorst = Math.max(attentionWorst, maxDifference(values(results[output]), attention[layer].flat(2)));
		});
		if (expectedLogits) logitsWorst = Math.max(logitsWorst, maxDifference(values(results.logits), expectedLogits[index].flat()));
	}
	const tolerance = run.tolerance ?? TOLERANCE;
	const ok = attentionWorst <= tolerance && (!expectedLogits || logitsWorst <= run.logitsTolerance);
	const logits = expectedLogits ? `, logits max |diff| ${logitsWorst.toExponential(2)} (≤ ${run.logitsTolerance.toExponential(0)})` : '';
	const verdict = ok ? 'matches' : 'DIFFERS';
	console.log(`${run.label}: onnxruntime-node attention (${[...types].join(', ')}) ${verdict}, max |diff| ${attentionWorst.toExponential(2)} (≤ ${tolerance.toExponential(0)})${logits}`);
	return ok;
}

function manifestOf(dir) {
	const file = path.join(dir, 'manifest.json');
	if (existsSync(file)) return readJson(file);
	return readdirSync(dir)
		.filter((f) => f.endsWith('.onnx'))
		.sort()
		.map((f) => ({ label: f.slice(0, -5), folder: f.slice(0, -5), model: f }));
}

async function main() {
	const { root, instrumented } = parseArgs(process.argv.slice(2));
	env.allowRemoteModels = false;
	env.localModelPath = root + path.sep;
	let ok = true;
	for (const name of readdirSync(root).sort()) {
		const folder = path.join(root, name);
		if (!existsSync(path.join(folder, 'reference.json'))) continue;
		ok = (await checkTokens(name, readJson(path.join(folder, 'reference.json')).cases)) && ok;
	}
	if (instrumented) {
		for (const run of manifestOf(instrumented)) ok = (await checkRun(root, instrumented, run)) && ok;
	}
	if (!ok) process.exit(1);
}

await main();
