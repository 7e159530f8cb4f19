import { FAULTS, FaultRow, formatTable, runFaultMatrix } from './fault-matrix';

const profile = process.env.FAULT_MATRIX_PROFILE === 'full' ? 'full' : 'short';

/**
 * Zero loss, measured: under steady load through the API, each fault is injected and healed,
 * then every event the API acknowledged (202) is looked for in MongoDB and the DLQ.
 */
describe(`fault matrix (${profile} profile)`, () => {
  let rows: FaultRow[] = [];

  beforeAll(async () => {
    rows = await runFaultMatrix(profile);
    console.log(`fault matrix (${profile}):\n${formatTable(rows)}`);
  }, 30 * 60_000);

  it.each(FAULTS.map((f) => f.name))('loses and duplicates nothing across: %s', (name) => {
    const row = rows.find((r) => r.fault === name);
    expect(row).toBeDefined();
    expect(row?.acknowledged).toBeGreaterThan(0);
    expect(row?.lost).toBe(0);
    expect(row?.duplicated).toBe(0);
    expect(row?.stored).toBeGreaterThan(0);
    const fault = FAULTS.find((f) => f.name === name);
    if (fault?.checkAtomicBatches) expect(row?.partialBatches).toBe(0);
    expect(row?.problems).toEqual([]);
  });

  it('never hung a client while the broker or the database was paused: answers within the send timeout', () => {
    for (const name of ['pause Kafka broker (SIGSTOP)', 'pause database (SIGSTOP)']) {
      const row = rows.find((r) => r.fault === name);
      // PRODUCER_SEND_TIMEOUT_MS is 3 s in the matrix; 2 s of margin for a loaded machine.
      expect({ name, slow: (row?.slowestAnswerMs ?? Infinity) <= 5000 }).toEqual({
        name,
        slow: true,
      });
    }
  });

  it('really broke something: the broker outage refused requests with 503', () => {
    const broker = rows.find((r) => r.fault === 'kill -9 Kafka broker');
    expect(broker?.refusedRequests).toBeGreaterThan(0);
  });
});
