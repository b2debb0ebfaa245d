// Check fixture models against their reference.json.
//  1. transformers.js must tokenize every reference text to exactly the reference input_ids.
//  2. With --instrumented DIR: onnxruntime-node runs DIR/<name>.onnx (the fixture's model.onnx
//     with each Softmax output also exposed as attention.<i>, written by make_fixtures.py) the way
//     the app does (batch 1, empty past) and must reproduce the reference attention.
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

function int64(values, dims) {
	return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

/** Past K/V geometry: [kv_heads, head_dim] from config.json. */
function cacheShape(config) {
	if (config.model_type === 'gpt2') return [config.n_head, config.n_embd / config.n_head];
	return [config.num_key_value_heads, config.head_dim];
}

function feedsFor(session, config, ids) {
	const n = ids.length;
	const feeds = {};
	for (const name of session.inputNames) {
		if (name === 'input_ids') feeds[name] = int64(ids, [1, n]);
		else if (name === 'attention_mask') feeds[name] = int64(ids.map(() => 1), [1, n]);
		else if (name === 'position_ids') feeds[name] = int64(ids.map((_, i) => i), [1, n]);
		else if (name === 'token_type_ids') feeds[name] = int64(ids.map(() => 0), [1, n]);
		else if (name.startsWith('past_key_values.')) {
			feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, cacheShape(config)[0], 0, cacheShape(config)[1]]);
		} else throw new Error(`unexpected input ${name}`);
	}
	return feeds;
}

function maxDifference(actual, expected) {
	const flat = expected.flat(3);
	if (flat.length !== actual.length) return Infinity;
	return flat.reduce((worst, value, i) => Math.max(worst, Math.abs(value - actual[i])), 0);
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

async function checkAttention(name, modelPath, config, cases) {
	const session = await ort.InferenceSession.create(modelPath);
	const outputs = session.outputNames.filter((n) => n.startsWith('attention.'));
	let worst = 0;
	for (const { input_ids, attention } of cases) {
		const results = await session.run(feedsFor(session, config, input_ids));
		if (outputs.length !== attention.length) throw new Error(`${name}: ${outputs.length} Softmax outputs, ${attention.length} layers`);
		outputs.forEach((output, layer) => {
			worst = Math.max(worst, maxDifference(results[output].data, attention[layer]));
		});
	}
	const ok = worst <= TOLERANCE;
	console.log(`${name}: onnxruntime-node attention ${ok ? 'matches' : 'DIFFERS'}, max |diff| ${worst.toExponential(2)}`);
	return ok;
}

async function main() {
	const { root, instrumented } = parseArgs(process.argv.slice(2));
	env.allowRemoteModels = false;
	env.localModelPath = root + path.sep;
	let ok = true;
	for (const name of readdirSync(root).sort()) {
		const folder = path.join(root, name);
		if (!existsSync(path.join(folder, 'reference.json'))) continue;
		const { cases } = JSON.parse(readFileSync(path.join(folder, 'reference.json'), 'utf8'));
		const config = JSON.parse(readFileSync(path.join(folder, 'config.json'), 'utf8'));
		ok = (await checkTokens(name, cases)) && ok;
		if (instrumented) ok = (await checkAttention(name, path.join(instrumented, `${name}.onnx`), config, cases)) && ok;
	}
	if (!ok) process.exit(1);
}

await main();
