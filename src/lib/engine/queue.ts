/**
 * The worker's waiting line. Only the newest request of a kind is worth running: typing re-analyses on every
 * pause, and a second model choice replaces the first, so a newer job supersedes an older queued one of its kind.
 */
export interface Job {
	kind: string;
	requestId: number;
}

export class JobQueue<J extends Job> {
	#jobs: J[] = [];

	/** Queues `job`; returns the queued jobs it supersedes (the caller answers them as cancelled). */
	push(job: J): J[] {
		const superseded = this.#jobs.filter((queued) => queued.kind === job.kind);
		this.#jobs = [...this.#jobs.filter((queued) => queued.kind !== job.kind), job];
		return superseded;
	}

	/** Removes a queued job; undefined when it is not waiting (already running, done, or unknown). */
	remove(requestId: number): J | undefined {
		const job = this.#jobs.find((queued) => queued.requestId === requestId);
		if (job) this.#jobs = this.#jobs.filter((queued) => queued !== job);
		return job;
	}

	next(): J | undefined {
		return this.#jobs.shift();
	}
}
