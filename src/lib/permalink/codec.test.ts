import { describe, expect, it } from 'vitest';
import { seededRandom } from '$lib/analysis/synthetic';
import { decodePermalink, encodePermalink } from './codec';
import { deflateText, MAX_TEXT_BYTES } from './compress';
import { DEFAULT_STATE, defaultState, POOLINGS, TOKEN_SIDES, VIEWS, BACKEND_PREFERENCES, type UrlState } from './state';

const ORIGIN = 'http://127.0.0.1:4173';

const PIECES = [
	'the ', 'In the beginning ', 'é', 'ß', 'Ω', '中文', '日本語', '한국어', 'שָׁלוֹם', 'مرحبا بالعالم', '\u200f', '\u200d',
	'😀', '👩‍👩‍👧', '🇫🇷', 'e\u0301', '\n', '\t', '  ', '<script>alert(1)</script>', '&amp;', '#', '&', '=', '%20', '+',
	'"', "'", '\\', '\u0000', '\uFEFF', 'Ġ', '▁', '##'
];

function randomState(random: () => number): UrlState {
	const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
	const int = (max: number) => Math.floor(random() * max);
	const targetLength = random() < 0.1 ? 20_000 : int(300);
	let text = '';
	while (text.length < targetLength) text += pick(PIECES);
	const token = random() < 0.3 ? null : int(1024);
	const heads = random() < 0.5 ? 'all' : [...new Set(Array.from({ length: int(6) }, () => int(16)))].sort((a, b) => a - b);
	return {
		text,
		model: pick([
			'/models/tiny-gpt2/',
			'Xenova/gpt2',
			'onnx-community/bert-base-uncased@main',
			'https://example.com/models/x/?a=1&b=2#frag',
			'https://huggingface.co/Xenova/gpt2/resolve/main/'
		]),
		backend: pick(BACKEND_PREFERENCES),
		view: pick(VIEWS),
		layer: int(48),
		heads,
		heatmapHead: pick([int(16), 'mean', 'max'] as const),
		token,
		// A side only travels with a token.
		tokenSide: token === null ? 'query' : pick(TOKEN_SIDES),
		rolloutStart: int(48),
		pooling: pick(POOLINGS)
	};
}

describe('permalink round trip', () => {
	it('restores 200 random states exactly, including unicode, RTL, emoji and 20 KB texts', async () => {
		const random = seededRandom(20240917);
		let sawLong = false;
		for (let i = 0; i < 200; i++) {
			const state = randomState(random);
			sawLong ||= state.text.length >= 20_000;
			const { fragment, notices } = await encodePermalink(state);
			expect(notices).toEqual([]);
			const decoded = await decodePermalink(fragment, ORIGIN);
			expect(decoded.notices).toEqual([]);
			expect(decoded.state).toEqual(state);
		}
		expect(sawLong).toBe(true);
	});

	it('opens with no fragment as the default state and no notices', async () => {
		expect(await decodePermalink('', ORIGIN)).toEqual({ state: defaultState(), notices: [] });
		expect(await decodePermalink('#', ORIGIN)).toEqual({ state: defaultState(), notices: [] });
	});

	it('keeps only the beginning of a text too large for a link, and says so', async () => {
		// Incompressible-ish text: random code points, ~3 bytes each, well over the 200 KB limit.
		const random = seededRandom(7);
		const text = Array.from({ length: 120_000 }, () => String.fromCodePoint(0x4e00 + Math.floor(random() * 20000))).join('');
		const { fragment, notices } = await encodePermalink({ ...defaultState(), text });
		expect(notices).toHaveLength(1);
		expect(notices[0]).toMatch(/^The link holds only the first \d+ of 120000 characters/);
		const decoded = await decodePermalink(fragment, ORIGIN);
		expect(decoded.notices).toEqual([]);
		expect(text.startsWith(decoded.state.text)).toBe(true);
		expect(new TextEncoder().encode(decoded.state.text).byteLength).toBeLessThanOrEqual(MAX_TEXT_BYTES);
	});
});

async function fragmentWith(params: Record<string, string>): Promise<string> {
	return `#${new URLSearchParams({ text: await deflateText('hello'), model: DEFAULT_STATE.model, ...params })}`;
}

async function deflateRawBytes(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
	const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

function base64url(bytes: Uint8Array): string {
	return Buffer.from(bytes).toString('base64url');
}

describe('malformed permalinks fall back to defaults with a notice', () => {
	const cases: { name: string; fragment: () => Promise<string>; notice: RegExp; check?: (s: UrlState) => void }[] = [
		{ name: 'bad base64', fragment: async () => '#text=@@@not*base64', notice: /not valid base64url/ },
		{ name: 'base64 of length 1 mod 4', fragment: async () => '#text=AAAAA', notice: /not valid base64url/ },
		{
			name: 'truncated deflate',
			fragment: async () => `#text=${(await deflateText('In the beginning God created the heaven')).slice(0, 12)}`,
			notice: /damaged or truncated/
		},
		{ name: 'not deflate at all', fragment: async () => `#text=${base64url(new Uint8Array([0xff, 0xff, 0xff, 0xff]))}`, notice: /damaged or truncated/ },
		{ name: 'empty text payload', fragment: async () => '#text=', notice: /not valid base64url/ },
		{ name: 'huge compressed payload', fragment: async () => `#text=${'A'.repeat(100_000)}`, notice: /larger than 64 KB compressed/ },
		{
			name: 'deflate bomb (1 MB of zeros)',
			fragment: async () => `#text=${base64url(await deflateRawBytes(new Uint8Array(1_000_000)))}`,
			notice: /expands to more than 200 KB/
		},
		{
			name: 'invalid UTF-8',
			fragment: async () => `#text=${base64url(await deflateRawBytes(new Uint8Array([0x61, 0xc3, 0x28])))}`,
			notice: /not valid UTF-8/
		},
		{ name: 'unknown view', fragment: () => fragmentWith({ view: 'matrix' }), notice: /unknown view "matrix"/, check: (s) => expect(s.view).toBe('head') },
		{ name: 'negative layer', fragment: () => fragmentWith({ layer: '-1' }), notice: /layer "-1" is not a whole number/, check: (s) => expect(s.layer).toBe(0) },
		{ name: 'non-integer layer', fragment: () => fragmentWith({ layer: '1.5' }), notice: /layer "1.5" is not a whole number/ },
		{ name: 'layer not a number', fragment: () => fragmentWith({ layer: 'NaN' }), notice: /layer "NaN"/ },
		{ name: 'absurdly large layer', fragment: () => fragmentWith({ layer: '1e400' }), notice: /layer "1e400"/ },
		{ name: 'layer with 400 digits', fragment: () => fragmentWith({ layer: '9'.repeat(400) }), notice: /layer .* is too large/ },
		{ name: 'heads list garbage', fragment: () => fragmentWith({ heads: '1,two,,3' }), notice: /head list "1,two,,3"/, check: (s) => expect(s.heads).toBe('all') },
		{ name: 'heads list too long', fragment: () => fragmentWith({ heads: Array.from({ length: 2000 }, (_, i) => i).join(',') }), notice: /more than 1024 entries/ },
		{ name: 'heatmap head garbage', fragment: () => fragmentWith({ head: 'median' }), notice: /heatmap head "median".*using the mean of heads/, check: (s) => expect(s.heatmapHead).toBe('mean') },
		{ name: 'token negative', fragment: () => fragmentWith({ token: '-3' }), notice: /token "-3"/, check: (s) => expect(s.token).toBeNull() },
		{ name: 'unknown token side', fragment: () => fragmentWith({ token: '2', side: 'left' }), notice: /unknown token side "left"/, check: (s) => expect(s.tokenSide).toBe('query') },
		{ name: 'rollout start garbage', fragment: () => fragmentWith({ from: 'first' }), notice: /rollout start layer "first"/ },
		{ name: 'unknown pooling', fragment: () => fragmentWith({ pool: 'median' }), notice: /unknown thumbnail pooling "median"/ },
		{ name: 'unknown backend', fragment: () => fragmentWith({ backend: 'cuda' }), notice: /unknown backend "cuda"/, check: (s) => expect(s.backend).toBe('auto') },
		{
			name: 'javascript: model',
			fragment: () => fragmentWith({ model: 'javascript:alert(1)' }),
			notice: /neither a Hub id nor an http\(s\) URL/,
			check: (s) => expect(s.model).toBe(DEFAULT_STATE.model)
		},
		{ name: 'protocol-relative model', fragment: () => fragmentWith({ model: '//evil.example/m/' }), notice: /neither a Hub id/ },
		{ name: 'model name too long', fragment: () => fragmentWith({ model: `a/${'b'.repeat(3000)}` }), notice: /longer than 2048/ },
		{ name: 'unknown parameters', fragment: () => fragmentWith({ utm_source: 'x', foo: 'y' }), notice: /ignored unknown parameters "utm_source", "foo"/ },
		{ name: 'bad percent-encoding', fragment: async () => '#view=%E0%A4%A&layer=%', notice: /unknown view/ }
	];

	it('has at least 15 cases', () => expect(cases.length).toBeGreaterThanOrEqual(15));

	for (const { name, fragment, notice, check } of cases) {
		it(name, async () => {
			const decoded = await decodePermalink(await fragment(), ORIGIN);
			expect(decoded.notices.some((n) => notice.test(n)), decoded.notices.join('\n')).toBe(true);
			expect(decoded.notices.every((n) => n.length < 300)).toBe(true);
			check?.(decoded.state);
		});
	}

	it('keeps a script tag in the text as plain text', async () => {
		const text = '<script>alert("x")</script><img src=x onerror=alert(1)>';
		const decoded = await decodePermalink((await encodePermalink({ ...defaultState(), text })).fragment, ORIGIN);
		expect(decoded.state.text).toBe(text);
		expect(decoded.notices).toEqual([]);
	});

	it('uses the first of repeated parameters', async () => {
		const decoded = await decodePermalink((await fragmentWith({ view: 'rollout' })) + '&view=model', ORIGIN);
		expect(decoded.state.view).toBe('rollout');
		expect(decoded.notices).toEqual(['Link: "view" given more than once; used the first.']);
	});

	it('keeps valid fields when others are malformed', async () => {
		const decoded = await decodePermalink(await fragmentWith({ view: 'heatmap', layer: 'x', head: 'max' }), ORIGIN);
		expect(decoded.state).toMatchObject({ text: 'hello', view: 'heatmap', layer: 0, heatmapHead: 'max' });
		expect(decoded.notices).toHaveLength(1);
	});
});
