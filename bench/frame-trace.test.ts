import { describe, expect, it } from 'vitest';
import { interactionWork, type TraceEvent } from './frame-trace';

const MAIN = { pid: 1, tid: 1 };
const OTHER = { pid: 1, tid: 2 };

/** A complete event, times in ms (the trace's are µs); thread time as long as the event unless given. */
function at(name: string, startMs: number, durMs: number, thread = MAIN, type?: string, cpuMs = durMs): TraceEvent {
	return { name, ph: 'X', ts: startMs * 1000, dur: durMs * 1000, tdur: cpuMs * 1000, ...thread, args: type ? { data: { type } } : {} };
}

/** A main-thread task that ran on the CPU for `cpuMs` of its `durMs`. */
function task(startMs: number, durMs: number, cpuMs: number): TraceEvent {
	return at('RunTask', startMs, durMs, MAIN, undefined, cpuMs);
}

describe('interactionWork', () => {
	it('sums the main thread’s tasks from the input’s task to the first frame committed after its handlers', () => {
		const events = [
			// Idle frames before: 2 ms and 4 ms tasks, each with a commit.
			at('RunTask', 0, 2),
			at('Commit', 1, 0.5),
			at('RunTask', 17, 4),
			at('Commit', 19, 1),
			// The click's task (descheduled for half of it): hit testing first, then pointerdown and click.
			task(30, 6, 3),
			at('EventDispatch', 31, 1, MAIN, 'pointerdown'),
			at('EventDispatch', 33, 2, MAIN, 'click'),
			// A task between (the page's own), then the frame: 5 ms with a 3 ms commit.
			at('RunTask', 40, 1.5),
			at('RunTask', 50, 5),
			at('Commit', 52, 3),
			// Later frames and other threads do not count.
			at('RunTask', 70, 9),
			at('Commit', 71, 8),
			at('RunTask', 30, 40, OTHER)
		];
		const work = interactionWork(events, ['pointerdown', 'click']);
		expect(work.workMs).toBeCloseTo(6 + 1.5 + 5, 9);
		expect(work.cpuMs).toBeCloseTo(3 + 1.5 + 5, 9);
		expect(work.commitMs).toBeCloseTo(3, 9);
		expect(work.latencyMs).toBeCloseTo(55 - 30, 9);
		expect(work.idleFrameMs).toBeCloseTo(4, 9);
	});

	it('takes the frame an input was dispatched in when it commits after the handlers (pointer moves come with frames)', () => {
		const events = [
			task(0, 10, 5),
			at('EventDispatch', 1, 3, MAIN, 'pointermove'),
			at('Commit', 7, 2),
			// A nested task inside the frame's task counts once.
			at('RunTask', 5, 1)
		];
		// Up to the commit's end: what follows it in the task (accessibility updates) is not the frame; its CPU time
		// counts in proportion.
		expect(interactionWork(events, ['pointermove'])).toEqual({ workMs: 9, cpuMs: 4.5, commitMs: 2, latencyMs: 9, idleFrameMs: 0 });
	});

	it('says what is missing when the trace cannot answer', () => {
		expect(() => interactionWork([at('RunTask', 0, 5)], ['click'])).toThrow(/no dispatch of click/);
		const noFrame = [at('RunTask', 0, 5), at('EventDispatch', 1, 1, MAIN, 'click'), at('Commit', 0.5, 0.2)];
		expect(() => interactionWork(noFrame, ['click'])).toThrow(/No frame was committed/);
	});
});
