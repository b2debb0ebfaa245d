/** Sums per-file download progress into one overall figure for a load. */
import type { FileProgress, OverallProgress } from './protocol';

/** The latest progress of each file, added up; a file of unknown size makes the total unknown (0). */
export function overallProgress(files: Iterable<FileProgress>): OverallProgress {
	let loaded = 0;
	let total = 0;
	let count = 0;
	let unknownTotal = false;
	for (const file of files) {
		loaded += file.loaded;
		total += file.total;
		count++;
		if (file.total === 0 && !file.done) unknownTotal = true;
	}
	return { loaded, total: unknownTotal ? 0 : total, files: count };
}

export class ProgressTotals {
	readonly #files = new Map<string, FileProgress>();

	/** Records one file's progress and returns the load's total so far. */
	update(progress: FileProgress): OverallProgress {
		this.#files.set(progress.file, progress);
		return overallProgress(this.#files.values());
	}
}
