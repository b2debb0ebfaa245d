/** The bench's output: markdown that reads as plain text in a terminal and renders in bench/latest.md. */

export class Report {
	readonly #lines: string[] = [];

	heading(text: string): void {
		this.#lines.push('', `## ${text}`, '');
	}

	paragraph(text: string): void {
		this.#lines.push(text, '');
	}

	table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
		const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
		this.#lines.push(line(headers), line(headers.map(() => '---')), ...rows.map(line), '');
	}

	toString(): string {
		return `${this.#lines.join('\n').trim()}\n`;
	}
}

export function megabytes(bytes: number | undefined): string {
	return bytes === undefined ? '–' : `${(bytes / 1e6).toFixed(1)} MB`;
}

export function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

/** Error text on one table line. */
export function reason(error: unknown): string {
	const text = error instanceof Error ? error.message : String(error);
	return text.split('\n')[0].replaceAll('|', '/').slice(0, 240);
}
