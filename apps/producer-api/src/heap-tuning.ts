import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full GC kept, as a percentage
 * (V8's `--heap-growing-percent`; Node refuses it in NODE_OPTIONS, so it is set here, first thing).
 *
 * Why: with the 128 MiB old space of APP_NODE_OPTIONS, V8 chose a small growth step and ran a
 * full mark-compact every 2–3 s at 1,000 single POSTs/s; on two shared cores each one stalled
 * answers for 30–50 ms, which was the whole p99 (34.8 ms with V8's choice, 21–23 ms with 50 or
 * 100, side by side with the bench's open-loop generator). With 100 a full GC comes every 10–15 s
 * and the old space peaks near twice the live set (about 30 MiB here), far below its 128 MiB
 * bound. V8 reads the flag whenever it sizes the heap after a GC.
 */
export const HEAP_GROWING_PERCENT = 100;

export function tuneHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
