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
