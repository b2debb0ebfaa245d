import { MediaQuery } from 'svelte/reactivity';
import type { Theme } from '$lib/analysis/colour';

const prefersDark = new MediaQuery('(prefers-color-scheme: dark)', false);

/** The visitor's colour scheme; reactive inside effects and deriveds. */
export function currentTheme(): Theme {
	return prefersDark.current ? 'dark' : 'light';
}

/** Colours that canvases draw with (CSS cannot reach into a canvas). */
export interface CanvasPalette {
	background: string;
	text: string;
	mutedText: string;
	rule: string;
	/** Hover and keyboard cursor: stands out against both sequential scales. */
	highlight: string;
}

const PALETTES: Record<Theme, CanvasPalette> = {
	light: { background: '#ffffff', text: '#1b1b1f', mutedText: '#5f6068', rule: '#c4c5cc', highlight: '#e8590c' },
	dark: { background: '#121212', text: '#e8e8ec', mutedText: '#a0a1aa', rule: '#44454d', highlight: '#22d3ee' }
};

export function canvasPalette(theme: Theme): CanvasPalette {
	return PALETTES[theme];
}
