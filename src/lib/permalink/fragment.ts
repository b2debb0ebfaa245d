/**
 * A fragment with a stray or truncated %-escape ("#layer=%", "#view=%E0%A4") makes decodeURIComponent throw, and
 * SvelteKit decodes the fragment while it starts: the page would die before it could say what was wrong. Such a
 * fragment is made literal first, one `&`-separated parameter at a time so the intact ones keep their meaning; the
 * permalink decoder then reports the odd values like any other. Returns null when the fragment decodes fine.
 */
export function literalFragment(fragment: string): string | null {
	if (decodes(fragment)) return null;
	return fragment.split('&').map(literalParameter).join('&');
}

function literalParameter(parameter: string): string {
	if (decodes(parameter)) return parameter;
	const strayPercentsEscaped = parameter.replace(/%(?![0-9A-Fa-f]{2})/g, '%25');
	// Complete escapes can still spell invalid UTF-8; then every % is taken literally.
	return decodes(strayPercentsEscaped) ? strayPercentsEscaped : parameter.replace(/%/g, '%25');
}

function decodes(text: string): boolean {
	return decoded(text) !== null;
}

/**
 * decodeURIComponent's result, or null where it throws. The result must flow on: the production minifier treats the
 * call as side-effect free and dropped it when only its exception mattered, which disabled this whole repair.
 */
function decoded(text: string): string | null {
	try {
		return decodeURIComponent(text);
	} catch {
		return null;
	}
}
