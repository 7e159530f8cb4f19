import {
  ClusterRow,
  SEND_TIMEOUT_MS,
  formatClusterTable,
  runClusterMatrix,
  selectFaults,
} from './cluster-matrix';

const profile = process.env.CLUSTER_MATRIX_PROFILE === 'full' ? 'full' : 'short';
const faults = selectFaults(profile);

/**
 * The production shape: a 3-node KRaft cluster of the suite's own, topics with replication factor
 * 3 and min.insync.replicas 2, both built apps on it and steady load through the API. Each row
 * injects a fault and heals it; every acknowledged event must be stored exactly once. `npm test`
 * runs the short profile (a partition leader's kill -9, the partition increase 3 -> 6);
 * `npm run fault-matrix -- --cluster` runs every row.
 */
describe(`Kafka cluster fault matrix (${profile} profile)`, () => {
  let rows: ClusterRow[] = [];

  beforeAll(async () => {
    rows = await runClusterMatrix(profile);
    console.log(`cluster fault matrix (${profile}):\n${formatClusterTable(rows)}`);
  }, 40 * 60_000);

  it.each(faults.map((f) => f.name))('loses and duplicates nothing across: %s', (name) => {
    const row = rows.find((r) => r.fault === name);
    expect(row).toBeDefined();
    expect(row?.acknowledged).toBeGreaterThan(0);
    expect({ name, lost: row?.lost, duplicated: row?.duplicated }).toEqual({
      name,
      lost: 0,
      duplicated: 0,
    });
    expect(row?.firstAckS).not.toBeNull();
    expect(row?.firstStoredS).not.toBeNull();
    // Per-partition order holds whatever happens; only a key moving partitions reorders.
    expect(row?.samePartitionOutOfOrder).toBe(0);
    expect(row?.problems).toEqual([]);
  });

  it('keeps every user in order while the partition count stays the same', () => {
    for (const row of rows.filter((r) => r.fault !== 'partition increase 3 -> 6')) {
      expect({ fault: row.fault, users: row.usersOutOfOrder }).toEqual({
        fault: row.fault,
        users: 0,
      });
    }
  });

  const scaled = faults.filter((f) => (f.instances?.apis ?? 1) > 1).map((f) => f.name);
  if (scaled.length > 0) {
    it.each(scaled)('every API instance acknowledged events, each stored once: %s', (name) => {
      const row = rows.find((r) => r.fault === name);
      expect(row?.perApi.length).toBeGreaterThan(1);
      for (const api of row?.perApi ?? []) {
        expect(api.acknowledged).toBeGreaterThan(0);
        expect(api).toEqual({ ...api, stored: api.acknowledged });
      }
    });
  }

  const refusing = faults.filter((f) => f.expectRefusals).map((f) => f.name);
  if (refusing.length > 0) {
    it.each(refusing)('answers 503 within the send timeout and recovers by itself: %s', (name) => {
      const row = rows.find((r) => r.fault === name);
      expect(row?.refusedRequests).toBeGreaterThan(0);
      // 2 s of margin over the send timeout for a loaded 2-core machine.
      expect(row?.slowestAnswerMs).toBeLessThanOrEqual(SEND_TIMEOUT_MS + 2000);
    });
  }
});
