/**
 * Reads a Chromium trace (categories TRACE_CATEGORIES) of one interaction: how long the page's main thread worked
 * from the interaction's input to the frame that shows its result.
 */

/** What the DevTools Performance panel records: tasks, event dispatches, frame stages (Commit among them). */
export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline'];

/** The fields of a trace event this module reads (times in µs). */
export interface TraceEvent {
	name: string;
	ph: string;
	ts: number;
	dur?: number;
	/** Thread (CPU) time, where Chromium records it. */
	tdur?: number;
	pid: number;
	tid: number;
	args?: { name?: string; data?: { type?: string } };
}

export interface InteractionWork {
	/** Main-thread time in tasks, from the task that dispatched the first input event to the end of the commit of the
	 *  first frame after the last one's handlers (so the frame that shows their effects); idle gaps do not count. */
	workMs: number;
	/** The CPU time of those tasks (thread time): `workMs` less the time the thread was descheduled or blocked. Tasks
	 *  the span cuts count in proportion. */
	cpuMs: number;
	/** Of that, the frame commits: the main thread blocked while the compositor takes the frame. */
	commitMs: number;
	/** The same span from end to end, idle gaps included (waiting for the next frame's turn). */
	latencyMs: number;
	/** The page doing nothing: the median main-thread time of the committed frames before the input. */
	idleFrameMs: number;
}

interface Span {
	start: number;
	end: number;
	cpu: number;
}

/** `inputTypes`: the DOM events the interaction dispatches (e.g. pointerdown, click), as trace EventDispatch types. */
export function interactionWork(events: readonly TraceEvent[], inputTypes: readonly string[]): InteractionWork {
	const dispatches = events
		.filter((e) => e.ph === 'X' && e.name === 'EventDispatch' && inputTypes.includes(e.args?.data?.type ?? ''))
		.sort((a, b) => a.ts - b.ts);
	const first = dispatches[0];
	if (!first) throw new Error(`The trace holds no dispatch of ${inputTypes.join(' or ')}.`);
	const onMainThread = events.filter((e) => e.ph === 'X' && e.pid === first.pid && e.tid === first.tid);
	const tasks = outermost(onMainThread.filter((e) => e.name === 'RunTask').map(spanOf));
	const commits = onMainThread.filter((e) => e.name === 'Commit').map(spanOf);

	const firstTask = tasks.find((task) => task.start <= first.ts && first.ts < task.end);
	if (!firstTask) throw new Error('The trace holds no task around the first input event.');
	const handled = Math.max(...dispatches.map((e) => spanOf(e).end));
	const frame = commits.find((commit) => commit.start >= handled);
	if (!frame) throw new Error('No frame was committed after the input in the trace.');
	const window = { start: firstTask.start, end: frame.end, cpu: 0 };

	const frameTasksBefore = tasks.filter((task) => task.end <= window.start && commits.some((c) => within(c, task)));
	const idle = frameTasksBefore.map((task) => task.end - task.start).sort((a, b) => a - b);
	return {
		workMs: overlap(tasks, window, (span) => span.end - span.start) / 1000,
		cpuMs: overlap(tasks, window, (span) => span.cpu) / 1000,
		commitMs: overlap(commits, window, (span) => span.end - span.start) / 1000,
		latencyMs: (window.end - window.start) / 1000,
		idleFrameMs: idle.length === 0 ? 0 : idle[Math.floor(idle.length / 2)] / 1000
	};
}

function spanOf(event: TraceEvent): Span {
	const dur = event.dur ?? 0;
	return { start: event.ts, end: event.ts + dur, cpu: event.tdur ?? dur };
}

function within(inner: Span, outer: Span): boolean {
	return inner.start >= outer.start && inner.end <= outer.end;
}

/** A task run inside another's nested loop is part of the outer one's time: only outer tasks count. */
function outermost(spans: Span[]): Span[] {
	const outer: Span[] = [];
	for (const span of [...spans].sort((a, b) => a.start - b.start || b.end - a.end)) {
		const last = outer.at(-1);
		if (!last || span.start >= last.end) outer.push(span);
	}
	return outer;
}

/** Sums `amount` over the spans, each in proportion to how much of it lies in the window. */
function overlap(spans: Span[], window: Span, amount: (span: Span) => number): number {
	return spans.reduce((sum, span) => {
		const inside = Math.min(span.end, window.end) - Math.max(span.start, window.start);
		const length = span.end - span.start;
		return inside <= 0 || length === 0 ? sum : sum + (amount(span) * inside) / length;
	}, 0);
}
