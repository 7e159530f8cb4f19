import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full GC kept, as a percentage
 * (V8's `--heap-growing-percent`; Node refuses it in NODE_OPTIONS, so it is set here, first thing).
 * V8 reads the flag whenever it sizes the heap after a GC.
 *
 * Why a fixed step: with the 128 MiB old space of APP_NODE_OPTIONS, V8 chose a small one and ran
 * a full mark-compact every 2–3 s at 1,000 single POSTs/s, each a visible stall on two shared
 * cores. Why 50 and not more: the old space peaks near (1 + step) × the live set, and in the 5×
 * overload spike the live set is at its largest (the in-flight batches on top of the modules'
 * code and sources), so 100 put the app's peak RSS over its 150 MB budget while 50 keeps it under
 * with the single-POST p99 still well inside its target. The measured trade-off of 100, 50 and
 * 30 is in the README (Performance, "Heap growth step").
 */
export const HEAP_GROWING_PERCENT = 50;

export function tuneHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
