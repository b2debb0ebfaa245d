import type { ClientInit } from '@sveltejs/kit';
import { literalFragment } from '$lib/permalink/fragment';

// Runs before SvelteKit reads the URL: a permalink with broken %-escapes must reach the page (and its notices),
// not crash the router.
export const init: ClientInit = () => {
	const fixed = literalFragment(location.hash);
	if (fixed !== null) history.replaceState(history.state, '', fixed);
};
