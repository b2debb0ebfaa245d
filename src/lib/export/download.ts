/** Saving files from the page without a server: an object URL and a temporary <a download>. */

export function downloadBlob(blob: Blob, fileName: string): void {
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = fileName;
	link.style.display = 'none';
	document.body.append(link);
	link.click();
	link.remove();
	// Revoke later: some browsers start reading the URL only after click() returns.
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file name from a model id or URL: "Xenova/gpt2" → "attnscope-Xenova-gpt2-head-view.png". */
export function exportFileName(model: string, what: string, extension: 'json' | 'png'): string {
	const slug = model
		.replace(/^[a-z]+:\/\/[^/]+/i, '')
		.replace(/[^\w.-]+/g, '-')
		.replace(/^[-.]+|[-.]+$/g, '')
		.slice(0, 80);
	return `attnscope-${slug ? `${slug}-` : ''}${what}.${extension}`;
}

export function canvasPngBlob(canvas: HTMLCanvasElement): Promise<Blob> {
	return new Promise((resolve, reject) =>
		canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The browser could not encode the image.'))), 'image/png')
	);
}
