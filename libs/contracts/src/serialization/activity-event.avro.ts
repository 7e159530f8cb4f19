import type { Schema } from 'avsc';

/** Content type header of an Avro record in the Confluent wire format. */
export const AVRO_CONTENT_TYPE = 'application/vnd.apache.avro+binary';

/**
 * ActivityEvent v1 as an Avro record. Fields mirror the JSON event one for one. `timestamp` stays
 * an ISO-8601 string so both formats keep the same semantics (and the same validator).
 * `metadata` is free-form (nested values, numbers, booleans), which no fixed Avro type can hold
 * honestly; a map of strings would silently stringify it, so it travels as the text of a JSON object.
 */
export const ACTIVITY_EVENT_AVRO_SCHEMA = {
  type: 'record',
  name: 'ActivityEvent',
  namespace: 'com.eyego.activity',
  doc: 'A user activity (user-activity-logs value), schema version 1.x',
  fields: [
    { name: 'eventId', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'activityType', type: 'string' },
    { name: 'timestamp', type: 'string', doc: 'ISO-8601, UTC' },
    { name: 'metadata', type: 'string', doc: 'a JSON object, as text' },
    { name: 'version', type: 'string', doc: 'semantic version of the event schema' },
  ],
} as const satisfies Schema;
