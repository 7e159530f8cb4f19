import { ExamplesObject } from '@nestjs/swagger';
import { ErrorCode } from '@app/contracts';
import { ProblemExample } from '@app/platform';

/** Request and error examples shown in Swagger UI (/docs) and checked in with the document. */
export const EVENT_EXAMPLES: ExamplesObject = {
  minimal: {
    summary: 'Minimal: the API fills eventId, timestamp and version',
    value: { userId: 'user123', activityType: 'login', metadata: { ipAddress: '192.168.1.1' } },
  },
  full: {
    // No timestamp: any fixed one would soon fall outside the accepted window (Try it out: 400).
    summary: 'Full: a client-chosen eventId is the idempotency key (retries are deduplicated)',
    value: {
      eventId: 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7',
      userId: 'user123',
      activityType: 'login',
      metadata: {
        ipAddress: '192.168.1.1',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
        sessionId: 'sess_abc123',
      },
      version: '1.0.0',
    },
  },
};

export const BATCH_EXAMPLES: ExamplesObject = {
  batch: {
    summary: 'Two events, published in one produce request',
    value: {
      events: [
        { userId: 'user123', activityType: 'login', metadata: { ipAddress: '192.168.1.1' } },
        { userId: 'user456', activityType: 'page_view', metadata: { path: '/pricing' } },
      ],
    },
  },
  partial: {
    // Every event valid: a document example must be accepted whatever the mode (the answer
    // examples show a refused event).
    summary:
      'With ?mode=partial, each event is answered on its own: an invalid one is refused, the others published',
    value: {
      events: [
        { userId: 'user123', activityType: 'login' },
        { userId: 'user123', activityType: 'logout', metadata: { sessionId: 'sess_abc123' } },
        { userId: 'user456', activityType: 'page_view', metadata: { path: '/pricing' } },
      ],
    },
  },
};

export const BATCH_ANSWER_EXAMPLES: Record<string, { summary: string; value: unknown }> = {
  atomic: {
    summary: 'mode=atomic (default): every event acknowledged',
    value: {
      results: [
        {
          eventId: 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7',
          topic: 'user-activity-logs',
          partition: 1,
          offset: '41',
        },
        {
          eventId: 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W8',
          topic: 'user-activity-logs',
          partition: 0,
          offset: '17',
        },
      ],
    },
  },
  partial: {
    summary: 'mode=partial: two acknowledged, one refused',
    value: {
      accepted: 2,
      rejected: 1,
      results: [
        {
          index: 0,
          status: 'accepted',
          eventId: 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W7',
          topic: 'user-activity-logs',
          partition: 1,
          offset: '42',
        },
        {
          index: 1,
          status: 'rejected',
          code: ErrorCode.VALIDATION_ERROR,
          message: 'activityType: Invalid activity type',
          errors: [{ field: 'activityType', message: 'Invalid activity type', rule: 'isIn' }],
        },
        {
          index: 2,
          status: 'accepted',
          eventId: 'evt_01JD5K8ZQ0M6T4V3B2N1X9Y8W9',
          topic: 'user-activity-logs',
          partition: 0,
          offset: '18',
        },
      ],
    },
  },
};

const badIp: ProblemExample = {
  code: ErrorCode.VALIDATION_ERROR,
  summary: 'A field breaks a rule; `errors` names each one',
  detail: 'metadata.ipAddress: must be an IPv4 or IPv6 address',
  errors: [
    { field: 'metadata.ipAddress', message: 'must be an IPv4 or IPv6 address', rule: 'isIP' },
  ],
};
const unknownField: ProblemExample = {
  code: ErrorCode.VALIDATION_ERROR,
  name: 'UNKNOWN_FIELD',
  summary: 'Fields outside the contract are rejected, not dropped',
  detail: 'colour: unknown field "colour"',
  errors: [{ field: 'colour', message: 'unknown field "colour"', rule: 'unknownField' }],
};
const unsupportedVersion: ProblemExample = {
  code: ErrorCode.UNSUPPORTED_SCHEMA_VERSION,
  summary: 'A schema major version this API cannot read',
  detail: 'schema version 2.0.0 is not supported; this service reads 1.x.y',
  errors: [{ field: 'version', message: 'major version must be 1', rule: 'supportedMajor' }],
};
const malformed: ProblemExample = {
  code: ErrorCode.MALFORMED_REQUEST,
  summary: 'The body is not valid JSON',
  detail: "Body is not valid JSON but content-type is set to 'application/json'",
};
const brokerDown: ProblemExample = {
  code: ErrorCode.BROKER_UNAVAILABLE,
  summary: 'Kafka did not acknowledge in time; nothing was accepted. Retry with the same eventId',
  detail: 'Kafka is unavailable; retry later with the same eventId',
};
const bodyTooLarge: ProblemExample = {
  code: ErrorCode.PAYLOAD_TOO_LARGE,
  summary: 'The body is larger than HTTP_BODY_LIMIT_BYTES',
  detail: 'Request body is too large',
};

export const ONE_EVENT_ERRORS: ProblemExample[] = [
  badIp,
  {
    code: ErrorCode.IDEMPOTENCY_KEY_MISMATCH,
    summary: 'The Idempotency-Key header and the body eventId differ',
    detail:
      "the Idempotency-Key header and the body's eventId differ; send one, or the same value in both",
    errors: [
      {
        field: 'eventId',
        message: 'differs from the Idempotency-Key header',
        rule: 'idempotencyKey',
      },
    ],
  },
  unknownField,
  unsupportedVersion,
  malformed,
  brokerDown,
];

export const BATCH_ERRORS: ProblemExample[] = [
  {
    ...badIp,
    summary: 'Invalid events are named by index; none of the batch was accepted',
    detail: '1 of 2 events are invalid; none was accepted',
    errors: [
      {
        field: 'events[1].metadata.ipAddress',
        message: 'must be an IPv4 or IPv6 address',
        rule: 'isIP',
      },
    ],
  },
  { ...unsupportedVersion, detail: '1 of 2 events are invalid; none was accepted' },
  malformed,
  bodyTooLarge,
  {
    code: ErrorCode.BATCH_TOO_LARGE,
    summary: 'More events than BATCH_MAX_EVENTS or more bytes than BATCH_MAX_BYTES',
    detail: 'a batch holds at most 500 events; got 501',
  },
  brokerDown,
];
