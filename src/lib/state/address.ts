import { pushState, replaceState } from '$app/navigation';
import type { AddressBar } from './page.svelte';

/**
 * The real address bar, through SvelteKit's shallow routing: calling history.pushState directly would confuse its
 * router. Only the fragment changes, so nothing navigates; popstate tells the page when Back/Forward moved.
 */
export const browserAddressBar: AddressBar = {
	get fragment() {
		return location.hash;
	},
	get origin() {
		return location.origin;
	},
	push(fragment) {
		pushState(new URL(fragment, location.href), {});
	},
	replace(fragment) {
		replaceState(new URL(fragment, location.href), {});
	},
	afterNextFrame() {
		return new Promise((resolve) => {
			// A hidden tab gets no frames: the timer still lets the write happen.
			const fallback = setTimeout(resolve, HIDDEN_TAB_WAIT_MS);
			requestAnimationFrame(() =>
				setTimeout(() => {
					clearTimeout(fallback);
					resolve();
				}, 0)
			);
		});
	}
};

/** How long a write waits for a frame that never comes (a background tab). */
const HIDDEN_TAB_WAIT_MS = 100;
