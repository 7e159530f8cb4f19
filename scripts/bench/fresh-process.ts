import { fork } from 'node:child_process';
import { measuredCpu } from './cpu';
import type { ClosedLoopOptions, HttpLoadResult } from './ingest';
import type { ProduceLoopOptions, ProduceResult } from './kafka-baseline';
import type { OpenLoopOptions } from './open-loop';

/**
 * The bench's load generators and the raw kafkajs loop it compares the API with, each run in a
 * fresh Node process: by the ingest phase the bench process has produced and inserted hundreds
 * of thousands of events, and its own pauses were timed as the server's (open loop, same app
 * build: p99 56.3 ms with the generator in it, 16.7 ms in a child) and capped what a closed-loop
 * client or the raw producer could send (README, Performance, "Measuring it right").
 */
export type FreshProcessJob =
  | { kind: 'open-loop'; opts: OpenLoopOptions }
  | { kind: 'closed-loop'; opts: ClosedLoopOptions }
  | { kind: 'produce-loop'; brokers: string; topic: string; opts: ProduceLoopOptions };

interface Answers {
  'open-loop': HttpLoadResult;
  'closed-loop': HttpLoadResult;
  /** With the CPU seconds the process spent in the loop (not connecting). */
  'produce-loop': { result: ProduceResult; cpuSeconds: number };
}

export function inFreshProcess<K extends FreshProcessJob['kind']>(
  job: Extract<FreshProcessJob, { kind: K }>,
): Promise<Answers[K]> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], { execArgv: [], stdio: 'inherit' });
    child.once('message', (answer: Answers[K]) => resolve(answer));
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`bench ${job.kind} process exited (${code}) before answering`)),
    );
    child.send(job);
  });
}

async function run(job: FreshProcessJob): Promise<Answers[FreshProcessJob['kind']]> {
  // Loaded here, not at the top: the modules that start these jobs import this one.
  switch (job.kind) {
    case 'open-loop':
      return (await import('./open-loop')).openLoop(job.opts);
    case 'closed-loop':
      return (await import('./ingest')).closedLoop(job.opts);
    case 'produce-loop': {
      const { rawProducer, produceLoop } = await import('./kafka-baseline');
      const producer = await rawProducer(job.brokers);
      try {
        // Read from /proc like the app's side of the pair (main.ts), so both use one clock.
        return await measuredCpu(process.pid, () => produceLoop(producer, job.topic, job.opts));
      } finally {
        await producer.disconnect();
      }
    }
  }
}

if (require.main === module) {
  process.once('message', (job: FreshProcessJob) => {
    run(job).then(
      (answer) => process.send?.(answer, () => process.exit(0)),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
