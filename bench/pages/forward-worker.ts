/**
 * Extraction overhead: the same model, backend, session options and feeds, run as the engine runs it (patched so
 * every layer's attention is an output, outputs packed into one tensor) and unpatched. Both sessions come from the
 * engine's own AttentionSession, with the engine's runtime settings.
 */
import { assembleAttention, recyclingStorage } from '$lib/engine/assemble';
import { patchForAttention } from '$lib/engine/attention-patch';
import { applyRuntimeSettings } from '$lib/engine/runtime-env';
import type { Feed } from '$lib/engine/feeds';
import { AttentionSession } from '$lib/engine/session';
import type { CompareRequest, CompareResult, LengthInput, LengthTimings, WorkerResponse } from './forward-protocol';
import { feedsFor, fetchModelFiles } from './model-files';

function send(response: WorkerResponse<CompareResult>): void {
	postMessage(response);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
	const started = performance.now();
	await work();
	return performance.now() - started;
}

async function measureLength(plain: AttentionSession | undefined, patched: AttentionSession, input: LengthInput, feeds: Feed[]): Promise<LengthTimings> {
	const timings: LengthTimings = { tokens: input.tokens, plainMs: [], attentionMs: [], attentionBytes: 0 };
	// As the engine worker does: each result is packed into the previous one's buffer (assemble.ts recyclingStorage).
	let previous: Float32Array | undefined;
	const runPatched = async () => {
		previous = assembleAttention(await patched.run(feeds), recyclingStorage(() => previous)).data;
		timings.attentionBytes = previous.byteLength;
	};
	const runPlain = async () => {
		if (plain) timings.plainMs.push(await timed(() => plain.run(feeds)));
	};
	if (input.warmUp) {
		await plain?.run(feeds);
		await runPatched();
	}
	for (let run = 0; run < input.runs; run++) {
		// Alternating which goes first cancels what one run leaves behind for the next (caches, heap growth).
		if (run % 2 === 1) await runPlain();
		timings.attentionMs.push(await timed(runPatched));
		if (run % 2 === 0) await runPlain();
	}
	return timings;
}

async function compare({ modelUrl, backend, withPlain, inputs }: CompareRequest): Promise<CompareResult> {
	const files = await fetchModelFiles(modelUrl);
	const attention = patchForAttention(files.bytes);
	// Fused ops give scores that the engine softmaxes afterwards; the bench's models are unfused.
	if (attention.outputsAreScores) throw new Error('The forward bench measures models whose attention is a Softmax output.');
	const plain = withPlain ? await AttentionSession.create({ patched: { bytes: files.bytes, outputs: [] }, externalData: [] }, backend) : undefined;
	const patched = await AttentionSession.create({ patched: attention.patched, externalData: [] }, backend);
	const timings: LengthTimings[] = [];
	try {
		for (const input of inputs) {
			send({ kind: 'progress', message: `${backend}, ${input.tokens} tokens: ${input.runs} timed run(s)${withPlain ? ' of each session' : ''}` });
			try {
				timings.push(await measureLength(plain, patched, input, feedsFor(files, input.ids)));
			} catch (error) {
				// Longer inputs would fail the same way (memory), so they are not tried.
				timings.push({ tokens: input.tokens, plainMs: [], attentionMs: [], attentionBytes: 0, failed: String(error) });
				break;
			}
		}
	} finally {
		await Promise.all([plain?.release(), patched.release()]);
	}
	return { kind: 'compare', timings };
}

addEventListener('message', (event: MessageEvent<CompareRequest>) => {
	applyRuntimeSettings({ ortWasmUrl: event.data.ortWasmUrl, hubHost: location.origin });
	compare(event.data).then(send, (error: unknown) => send({ kind: 'error', message: String(error) }));
});
