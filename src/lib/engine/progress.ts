/** Sums per-file download progress into one overall figure for a load. */
import type { FileProgress, OverallProgress } from './protocol';

export class ProgressTotals {
	readonly #files = new Map<string, FileProgress>();

	/** Records one file's progress and returns the load's total so far. */
	update(progress: FileProgress): OverallProgress {
		this.#files.set(progress.file, progress);
		let loaded = 0;
		let total = 0;
		let unknownTotal = false;
		for (const file of this.#files.values()) {
			loaded += file.loaded;
			total += file.total;
			if (file.total === 0 && !file.done) unknownTotal = true;
		}
		// A file of unknown size makes the total unknown (0), as for a single file.
		return { loaded, total: unknownTotal ? 0 : total, files: this.#files.size };
	}
}
