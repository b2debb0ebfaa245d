import type { AttentionTensor } from '$lib/attention';
import type { Token } from '$lib/engine/protocol';
import type { AttentionReader } from '$lib/engine/reads';

/**
 * The answer of an async read that depends on reactive values (a layer of the result on screen, …): read again when
 * they change (the values read before the read's first await are the ones tracked). An answer that arrives after a
 * newer read started is dropped. `current` keeps the previous answer until the newest one arrives, so a view keeps
 * its picture meanwhile instead of flashing empty; a read should therefore return everything that belongs together
 * (the layer with the tokens it came with). Create it while a component initialises (it owns an effect).
 */
export class LatestRead<T> {
	current: T | undefined = $state.raw();
	/** Why the newest read failed; a read that a newer result superseded ('cancelled') is not a failure. */
	error: string | undefined = $state();

	constructor(read: () => Promise<T>) {
		$effect(() => {
			let wanted = true;
			this.error = undefined;
			read().then(
				(value) => {
					if (wanted) this.current = value;
				},
				(error: unknown) => {
					if (wanted && !isCancelled(error)) this.error = error instanceof Error ? error.message : String(error);
				}
			);
			return () => {
				wanted = false;
			};
		});
	}
}

function isCancelled(error: unknown): boolean {
	return typeof error === 'object' && error !== null && 'code' in error && error.code === 'cancelled';
}

/** One layer a view shows, with the tokens it came with, so a stale one still draws consistently. */
export interface ShownLayer {
	tokens: readonly Token[];
	layer: number;
	/** That layer as a one-layer tensor. */
	attention: AttentionTensor;
}

/** The newest read of the layer a view wants (HeadView, Heatmap); the previous one stays up until it arrives. */
export function latestLayer(wanted: () => { attention: AttentionReader; tokens: readonly Token[]; layer: number }): LatestRead<ShownLayer> {
	return new LatestRead(async () => {
		const { attention, tokens, layer } = wanted();
		return { tokens, layer, attention: await attention.layer(layer) };
	});
}
