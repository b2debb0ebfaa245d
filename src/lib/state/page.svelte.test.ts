import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { syntheticAttention } from '$lib/analysis/synthetic';
import type { FileProgress, LoadOptions, ModelInfo, ModelSource } from '$lib/engine/protocol';
import { tensorReader, type Analysis } from '$lib/engine/reads';
import { BUNDLED_MODEL, SAMPLE_TEXT } from '$lib/models';
import { decodePermalink, encodePermalink } from '$lib/permalink/codec';
import { defaultState } from '$lib/permalink/state';
import { PageState, TYPING_DEBOUNCE_MS, type AddressBar, type AttentionEngine } from './page.svelte';

const ORIGIN = 'http://127.0.0.1:4173';

class FakeAddressBar implements AddressBar {
	readonly origin = ORIGIN;
	entries: string[];
	index = 0;
	constructor(fragment = '') {
		this.entries = [fragment];
	}
	get fragment() {
		return this.entries[this.index];
	}
	push(fragment: string) {
		this.entries = [...this.entries.slice(0, this.index + 1), fragment];
		this.index++;
	}
	replace(fragment: string) {
		this.entries[this.index] = fragment;
	}
	/** Set to hold the page's address writes until paintFrame(), to act between a change and its write. */
	holdFrames = false;
	#waitingForFrame: (() => void)[] = [];
	afterNextFrame() {
		return this.holdFrames ? new Promise<void>((resolve) => this.#waitingForFrame.push(resolve)) : Promise.resolve();
	}
	paintFrame() {
		for (const resume of this.#waitingForFrame.splice(0)) resume();
	}
	back() {
		this.index--;
	}
	forward() {
		this.index++;
	}
}

interface Deferred<T> {
	resolve(value: T): void;
	reject(error: unknown): void;
}

/** An engine whose calls the test settles by hand, in any order. */
class FakeEngine implements AttentionEngine {
	loads: { source: ModelSource; options: LoadOptions; onProgress?: (p: FileProgress) => void; settle: Deferred<ModelInfo> }[] = [];
	analyses: { text: string; settle: Deferred<Analysis> }[] = [];
	load(source: ModelSource, options: LoadOptions, onProgress?: (p: FileProgress) => void) {
		return new Promise<ModelInfo>((resolve, reject) => this.loads.push({ source, options, onProgress, settle: { resolve, reject } }));
	}
	analyse(text: string) {
		return new Promise<Analysis>((resolve, reject) => this.analyses.push({ text, settle: { resolve, reject } }));
	}
	/** Like the worker: the load in flight fails with 'cancelled'. */
	cancelLoad() {
		this.loads.at(-1)?.settle.reject(cancelled);
	}
}

const modelInfo = (name = BUNDLED_MODEL): ModelInfo => ({
	name,
	modelType: 'gpt2',
	isDecoder: true,
	layers: 2,
	heads: 4,
	maxTokens: 8,
	backend: 'wasm',
	notices: []
});

function resultFor(text: string, extra: Partial<Analysis> = {}): Analysis {
	const words = text.split(' ').slice(0, 8);
	return {
		tokens: words.map((word, id) => ({ text: word, id, special: false })),
		attention: tensorReader(syntheticAttention(2, 4, words.length, { causal: true })),
		backend: 'wasm',
		timings: { tokenizeMs: 1, forwardMs: 1 },
		notices: [],
		...extra
	};
}

const cancelled = Object.assign(new Error('Superseded.'), { code: 'cancelled' });
/** Settles promise chains that need no real I/O. */
const flush = () => vi.advanceTimersByTimeAsync(0);
/** Waits for work that does real I/O (link compression runs on Node's thread pool). */
const until = (check: () => unknown) => vi.waitFor(async () => expect(await check()).toBeTruthy());

async function openReady(fragment = '') {
	const engine = new FakeEngine();
	const address = new FakeAddressBar(fragment);
	const page = new PageState(engine, address);
	void page.open();
	await until(() => engine.loads[0]);
	engine.loads[0].settle.resolve(modelInfo());
	await until(() => engine.analyses[0]);
	return { engine, address, page };
}

// Only timeouts are faked: compression streams need the real event loop.
beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());

describe('opening the page', () => {
	it('analyses the sample text with the bundled model when there is no link, reporting progress per file', async () => {
		const engine = new FakeEngine();
		const page = new PageState(engine, new FakeAddressBar());
		void page.open();
		await until(() => engine.loads[0]);
		expect(page.phase).toBe('loading');
		expect(engine.loads[0].source).toEqual({ kind: 'url', url: `${ORIGIN}${BUNDLED_MODEL}` });
		engine.loads[0].onProgress?.({ file: 'config.json', loaded: 10, total: 10, done: true });
		engine.loads[0].onProgress?.({ file: 'onnx/model.onnx', loaded: 5, total: 100, done: false });
		engine.loads[0].onProgress?.({ file: 'onnx/model.onnx', loaded: 50, total: 100, done: false });
		expect(page.files.map((f) => [f.file, f.loaded])).toEqual([
			['config.json', 10],
			['onnx/model.onnx', 50]
		]);
		engine.loads[0].settle.resolve(modelInfo());
		await until(() => engine.analyses[0]);
		expect(page.phase).toBe('ready');
		expect(engine.analyses.map((a) => a.text)).toEqual([SAMPLE_TEXT]);
	});

	it('restores a permalink and rewrites it when the model shows parts of it were out of range', async () => {
		const { fragment } = await encodePermalink({ ...defaultState(), text: 'a b c', view: 'heatmap', layer: 7, heatmapHead: 'max' });
		const { engine, address, page } = await openReady(fragment);
		expect(page.linked).toMatchObject({ text: 'a b c', view: 'heatmap', layer: 0, heatmapHead: 'max' });
		expect(page.notices).toEqual([expect.stringMatching(/^Layer 7 does not exist/)]);
		await until(async () => (await decodePermalink(address.fragment, ORIGIN)).state.layer === 0);
		expect(engine.analyses[0].text).toBe('a b c');
	});

	it('asks before loading a link’s model from another host, and can fall back to the bundled model', async () => {
		const { fragment } = await encodePermalink({ ...defaultState(), model: 'https://models.example.com/m/' });
		const engine = new FakeEngine();
		const page = new PageState(engine, new FakeAddressBar(fragment));
		await page.open();
		expect(page.question).toEqual({ model: 'https://models.example.com/m/', host: 'models.example.com' });
		expect(engine.loads).toHaveLength(0);
		await page.setBackend('wasm');
		expect(engine.loads).toHaveLength(0);
		void page.declineForeignModel();
		await until(() => engine.loads[0]);
		expect(page.question).toBeNull();
		expect(engine.loads[0].source).toEqual({ kind: 'url', url: `${ORIGIN}${BUNDLED_MODEL}` });
		expect(engine.loads[0].options).toEqual({ backend: 'wasm' });
		engine.loads[0].settle.resolve(modelInfo());
		await until(() => engine.analyses[0]);
		expect(page.linked.model).toBe(BUNDLED_MODEL);
	});

	it('loads a foreign model once confirmed, and Hub models without asking', async () => {
		const { fragment } = await encodePermalink({ ...defaultState(), model: 'https://models.example.com/m/' });
		const engine = new FakeEngine();
		const page = new PageState(engine, new FakeAddressBar(fragment));
		await page.open();
		void page.confirmForeignModel();
		await until(() => engine.loads[0]);
		expect(engine.loads[0].source).toEqual({ kind: 'url', url: 'https://models.example.com/m/' });

		const hub = await encodePermalink({ ...defaultState(), model: 'Xenova/gpt2' });
		const hubEngine = new FakeEngine();
		void new PageState(hubEngine, new FakeAddressBar(hub.fragment)).open();
		await until(() => hubEngine.loads[0]);
		expect(hubEngine.loads[0].source).toEqual({ kind: 'hub', id: 'Xenova/gpt2' });
	});
});

describe('a model folder from disk', () => {
	const folder = [
		{ path: 'my-gpt/config.json', file: new Blob(['{}']) },
		{ path: 'my-gpt/onnx/model.onnx', file: new Blob(['x']) }
	];

	it('loads the chosen files, names them local:<folder> in the link, and reloads them for a backend switch', async () => {
		const { engine, address, page } = await openReady();
		engine.analyses[0].settle.resolve(resultFor(SAMPLE_TEXT));
		void page.loadFolder(folder);
		await until(() => engine.loads[1]);
		expect(engine.loads[1].source).toEqual({ kind: 'files', files: folder });
		engine.loads[1].settle.resolve(modelInfo('local:my-gpt'));
		await until(() => engine.analyses[1]);
		expect(page.linked.model).toBe('local:my-gpt');
		await until(async () => (await decodePermalink(address.fragment, ORIGIN)).state.model === 'local:my-gpt');
		void page.setBackend('wasm');
		await until(() => engine.loads[2]);
		expect(engine.loads[2].source).toEqual({ kind: 'files', files: folder });
		expect(engine.loads[2].options).toEqual({ backend: 'wasm' });
		const link = await page.shareableLink(`${ORIGIN}/`);
		expect((await decodePermalink(link.slice(link.indexOf('#')), ORIGIN)).state.model).toBe('local:my-gpt');
		expect(page.notices).toContain('The link names the model folder "my-gpt" from your disk: whoever opens it must choose that folder too.');
	});

	it('asks for the folder again when a local:<folder> model is typed without its files', async () => {
		const { engine, page } = await openReady();
		await page.loadModel('local:someone-elses');
		expect(page.error).toMatch(/files of "someone-elses" are not open in this page/);
		expect(engine.loads).toHaveLength(1);
	});

	it('opens a link made with a folder from the sender’s disk on the bundled model, naming the folder', async () => {
		const { fragment } = await encodePermalink({ ...defaultState(), text: 'a b', model: 'local:their-model' });
		const { engine, address, page } = await openReady(fragment);
		expect(engine.loads[0].source).toEqual({ kind: 'url', url: `${ORIGIN}${BUNDLED_MODEL}` });
		expect(engine.analyses[0].text).toBe('a b');
		expect(page.notices).toEqual([expect.stringMatching(/sender's disk \("their-model"\).*choose that folder/)]);
		await until(async () => (await decodePermalink(address.fragment, ORIGIN)).state.model === BUNDLED_MODEL);
	});
});

describe('typing', () => {
	it('re-analyses once typing pauses, replacing (not pushing) the address', async () => {
		const { engine, address, page } = await openReady();
		engine.analyses[0].settle.resolve(resultFor(SAMPLE_TEXT));
		await flush();
		page.setText('a');
		page.setText('a b');
		await vi.advanceTimersByTimeAsync(TYPING_DEBOUNCE_MS - 1);
		expect(engine.analyses).toHaveLength(1);
		await vi.advanceTimersByTimeAsync(1);
		expect(engine.analyses.map((a) => a.text)).toEqual([SAMPLE_TEXT, 'a b']);
		await until(() => address.fragment !== '');
		expect(address.entries).toHaveLength(1);
		expect((await decodePermalink(address.fragment, ORIGIN)).state.text).toBe('a b');
	});

	it('never shows a superseded result, even one that arrives late', async () => {
		const { engine, page } = await openReady();
		page.setText('first text');
		await vi.advanceTimersByTimeAsync(TYPING_DEBOUNCE_MS);
		page.setText('second text');
		await vi.advanceTimersByTimeAsync(TYPING_DEBOUNCE_MS);
		const [, first, second] = engine.analyses;
		second.settle.resolve(resultFor('second text'));
		await flush();
		first.settle.resolve(resultFor('first text'));
		engine.analyses[0].settle.reject(cancelled);
		await flush();
		expect(page.result?.tokens.map((t) => t.text)).toEqual(['second', 'text']);
		expect(page.error).toBeNull();
		expect(page.analysing).toBe(false);
	});

	it('keeps the previous result visible when an analysis fails, and says why', async () => {
		const { engine, page } = await openReady();
		engine.analyses[0].settle.resolve(resultFor(SAMPLE_TEXT));
		await flush();
		const shown = page.result;
		page.setText('');
		await vi.advanceTimersByTimeAsync(TYPING_DEBOUNCE_MS);
		engine.analyses[1].settle.reject(Object.assign(new Error('Type some text to see its attention.'), { code: 'empty-text' }));
		await flush();
		expect(page.result).toBe(shown);
		expect(page.error).toBe('Type some text to see its attention.');
	});

	it('says how many tokens were kept when the text is longer than the context', async () => {
		const { engine, page } = await openReady();
		engine.analyses[0].settle.resolve(resultFor(SAMPLE_TEXT, { truncatedFrom: 11 }));
		await flush();
		expect(page.notices).toEqual(['Kept 8 of 11 tokens: the model reads at most 8.']);
	});
});

describe('history', () => {
	it('pushes view and layer changes, replaces token changes, and Back/Forward restore them', async () => {
		const { engine, address, page } = await openReady();
		engine.analyses[0].settle.resolve(resultFor(SAMPLE_TEXT));
		await flush();
		page.select({ view: 'heatmap' });
		page.select({ layer: 1 });
		page.select({ token: 2 });
		await until(async () => (await decodePermalink(address.fragment, ORIGIN)).state.token === 2);
		expect(address.entries).toHaveLength(3);
		expect((await decodePermalink(address.fragment, ORIGIN)).state).toMatchObject({ view: 'heatmap', layer: 1, token: 2 });

		address.back();
		await page.restoreFromAddress();
		expect(page.linked).toMatchObject({ view: 'heatmap', layer: 0, token: null });
		address.back();
		await page.restoreFromAddress();
		expect(page.linked.view).toBe('head');
		address.forward();
		await page.restoreFromAddress();
		expect(page.linked.view).toBe('heatmap');
		// Same text and model: nothing reloads or re-analyses.
		expect(engine.loads).toHaveLength(1);
		expect(engine.analyses).toHaveLength(1);
	});

	it('writes the address after the next frame, and drops a write that Back overtook', async () => {
		const { engine, address, page } = await openReady();
		engine.analyses[0].settle.resolve(resultFor(SAMPLE_TEXT));
		await flush();
		page.select({ view: 'heatmap' });
		await until(() => address.entries.length === 2);
		const heatmapEntry = address.fragment;

		address.holdFrames = true;
		page.select({ layer: 1 });
		await flush();
		expect(address.entries).toEqual([address.entries[0], heatmapEntry]);
		address.back();
		await page.restoreFromAddress();
		address.paintFrame();
		await flush();
		// The layer change was never written: Forward still leads to the heatmap entry, and the page shows entry one.
		expect(address.entries).toHaveLength(2);
		expect(address.index).toBe(0);
		expect(page.linked.view).toBe('head');
		address.forward();
		await page.restoreFromAddress();
		expect(page.linked).toMatchObject({ view: 'heatmap', layer: 0 });

		page.select({ layer: 2 });
		await flush();
		expect((await decodePermalink(address.fragment, ORIGIN)).state.layer).toBe(0);
		address.paintFrame();
		await until(async () => (await decodePermalink(address.fragment, ORIGIN)).state.layer === 2);
		expect(address.entries).toHaveLength(3);
	});

	it('re-analyses when Back restores a different text', async () => {
		const { engine, address, page } = await openReady();
		engine.analyses[0].settle.resolve(resultFor(SAMPLE_TEXT));
		await flush();
		page.select({ view: 'model' });
		page.setText('new words');
		await vi.advanceTimersByTimeAsync(TYPING_DEBOUNCE_MS);
		await until(async () => (await decodePermalink(address.fragment, ORIGIN)).state.text === 'new words');
		address.back();
		void page.restoreFromAddress();
		await until(() => engine.analyses.length === 3);
		expect(page.linked.text).toBe(SAMPLE_TEXT);
		expect(engine.analyses.at(-1)?.text).toBe(SAMPLE_TEXT);
	});
});

describe('notices', () => {
	it('drops a link’s notices once the user changes something, and does not pile them up over Back steps', async () => {
		const { fragment } = await encodePermalink({ ...defaultState(), text: 'a b c', token: 2 });
		const { engine, address, page } = await openReady(`${fragment}&layer=x`);
		engine.analyses[0].settle.resolve(resultFor('a b'));
		await flush();
		expect(page.notices).toEqual([expect.stringMatching(/^Link: layer "x"/), expect.stringMatching(/^Token 2 does not exist/)]);
		page.select({ view: 'model' });
		expect(page.notices).toEqual([]);
		await until(async () => (await decodePermalink(address.fragment, ORIGIN)).state.view === 'model');
		address.back();
		await page.restoreFromAddress();
		await page.restoreFromAddress();
		expect(page.notices).toEqual([]);
	});
});

describe('selection', () => {
	it('stores a list of every head as "all"', async () => {
		const { page } = await openReady();
		page.select({ heads: [0, 2] });
		expect(page.linked.heads).toEqual([0, 2]);
		page.select({ heads: [0, 1, 2, 3] });
		expect(page.linked.heads).toBe('all');
	});
});

describe('models', () => {
	it('rejects a reference that is not a model without touching the engine', async () => {
		const { engine, page } = await openReady();
		await page.loadModel('javascript:alert(1)');
		expect(page.error).toMatch(/is not a model/);
		expect(engine.loads).toHaveLength(1);
	});

	it('keeps the previous model and result when a new model fails to load', async () => {
		const { engine, page } = await openReady();
		engine.analyses[0].settle.resolve(resultFor(SAMPLE_TEXT));
		await flush();
		const loading = page.loadModel('nobody/nothing');
		await until(() => engine.loads[1]);
		engine.loads[1].settle.reject(Object.assign(new Error('nobody/nothing was not found on the Hub.'), { code: 'not-found' }));
		await loading;
		expect(page.phase).toBe('failed');
		expect(page.error).toBe('nobody/nothing was not found on the Hub.');
		expect(page.result?.tokens.length).toBeGreaterThan(0);
	});

	it('Cancel ends the load, keeps the loaded model and its result, and says so', async () => {
		const { engine, address, page } = await openReady();
		engine.analyses[0].settle.resolve(resultFor(SAMPLE_TEXT));
		await flush();
		const shown = page.result;
		const loading = page.loadModel('Xenova/gpt2');
		await until(() => engine.loads[1]);
		engine.loads[1].onProgress?.({ file: 'config.json', loaded: 1, total: 10, done: false });
		page.cancelLoad();
		await loading;
		expect(page.phase).toBe('ready');
		expect(page.model?.name).toBe(BUNDLED_MODEL);
		expect(page.result).toBe(shown);
		expect(page.files).toEqual([]);
		expect(page.error).toBeNull();
		expect(page.notices).toEqual([expect.stringMatching(/^Loading cancelled/)]);
		expect(page.linked.model).toBe(BUNDLED_MODEL);
		await until(async () => (await decodePermalink(address.fragment, ORIGIN)).state.model === BUNDLED_MODEL);
		// Nothing reloads, and the text is unchanged, so nothing is re-analysed.
		expect(engine.loads).toHaveLength(2);
		expect(engine.analyses).toHaveLength(1);
	});

	it('Cancel of the first load leaves no model and no loading state', async () => {
		const engine = new FakeEngine();
		const page = new PageState(engine, new FakeAddressBar());
		const opening = page.open();
		await until(() => engine.loads[0]);
		page.cancelLoad();
		await opening;
		expect(page.phase).toBe('idle');
		expect(page.model).toBeNull();
		expect(page.notices).toEqual(['Loading cancelled.']);
	});

	it('reloads with the chosen backend', async () => {
		const { engine, page } = await openReady();
		void page.setBackend('webgpu');
		await until(() => engine.loads[1]);
		expect(engine.loads[1].options).toEqual({ backend: 'webgpu' });
		expect(page.linked.backend).toBe('webgpu');
	});
});

describe('sharing', () => {
	it('builds a link that decodes to the current state', async () => {
		const { page } = await openReady();
		page.setText('shared text');
		page.select({ view: 'rollout', rolloutStart: 1 });
		const link = await page.shareableLink(`${ORIGIN}/#old`);
		expect(link.startsWith(`${ORIGIN}/#text=`)).toBe(true);
		const { state } = await decodePermalink(new URL(link).hash, ORIGIN);
		expect(state).toMatchObject({ text: 'shared text', view: 'rollout', rolloutStart: 1 });
	});
});
