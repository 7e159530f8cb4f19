/**
 * The Node.js options both apps run with, everywhere: Dockerfile (ENV NODE_OPTIONS), deploy/k8s
 * (ConfigMap NODE_OPTIONS), `npm run dev`, the `start:*` scripts, the bench and the e2e tests.
 * scripts/checks/node-options.sh fails the test command when one of them drifts from this line.
 *
 * Why: on a machine with plenty of memory V8 lets the heap grow lazily (the bench saw 460–780 MiB
 * peak RSS with a live set far smaller). A 128 MiB old space and 8 MiB semi-spaces keep each app
 * under 200 MiB RSS under load; the e2e suites run with the same bound, so a live set that
 * outgrew it would fail them (out of memory), not production first.
 */
export const APP_NODE_OPTIONS = '--max-old-space-size=128 --max-semi-space-size=8';

/**
 * glibc malloc settings both apps run with, in the same places as APP_NODE_OPTIONS (the check
 * covers this line too). They are environment variables that glibc reads when the process
 * starts, so an app cannot set them for itself.
 *
 * Why: memory outside V8's heap (sockets' read buffers, kafkajs's fetch responses, zlib) is
 * malloc'd. By default glibc gives every thread that allocates an arena of its own (up to 8 per
 * core), and after a large buffer is freed it raises its mmap threshold, so later large buffers
 * come from the arenas, which keep their pages. Two arenas, and buffers of 128 KiB or more mapped
 * and unmapped on their own, took 8–11 MiB off each app's peak RSS in the bench (README,
 * Performance). A musl-based image ignores both.
 */
export const APP_MALLOC_ENV = 'MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072';

/** APP_MALLOC_ENV (or another `NAME=value …` list) as environment entries, for spawning an app. */
export function appMallocEnv(pairs: string = APP_MALLOC_ENV): Record<string, string> {
  return Object.fromEntries(
    pairs
      .split(' ')
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
  );
}
