import { AddressInfo } from 'node:net';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { ACTIVITY_EVENT_AVRO_SCHEMA } from './activity-event.avro';
import {
  ConfluentSchemaRegistryClient,
  SchemaNotFoundError,
  SchemaRegistryUnavailableError,
  StaticSchemaRegistry,
} from './schema-registry';

const SCHEMA = JSON.stringify(ACTIVITY_EVENT_AVRO_SCHEMA);

/**
 * A test double of a Confluent Schema Registry: a real HTTP server implementing the two endpoints
 * the client uses (POST /subjects/{subject}/versions, GET /schemas/ids/{id}), with basic auth.
 */
class FakeRegistry {
  readonly requests: string[] = [];
  readonly schemas = new Map<number, string>();
  failWith?: number;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    this.requests.push(`${req.method} ${req.url}`);
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify(json));
    };
    if (this.failWith) return reply(this.failWith, { error_code: this.failWith, message: 'x' });
    if (req.headers.authorization !== `Basic ${Buffer.from('sr-user:sr-pass').toString('base64')}`)
      return reply(401, { error_code: 401, message: 'Unauthorized' });
    const register = /^\/subjects\/([^/]+)\/versions$/.exec(req.url ?? '');
    if (req.method === 'POST' && register) {
      const { schema } = JSON.parse(body) as { schema: string };
      const known = [...this.schemas].find(([, s]) => s === schema);
      const id = known?.[0] ?? this.schemas.size + 100;
      this.schemas.set(id, schema);
      return reply(200, { id });
    }
    const byId = /^\/schemas\/ids\/(\d+)$/.exec(req.url ?? '');
    const schema = byId && this.schemas.get(Number(byId[1]));
    if (req.method === 'GET' && schema) return reply(200, { schema });
    return reply(404, { error_code: 40403, message: 'Schema not found' });
  }
}

describe('the Confluent schema registry client (against a test double over real HTTP)', () => {
  const registry = new FakeRegistry();
  let url: string;
  beforeAll(async () => (url = await registry.start()));
  afterAll(() => registry.stop());
  beforeEach(() => {
    registry.requests.length = 0;
    registry.failWith = undefined;
  });

  const client = () =>
    new ConfluentSchemaRegistryClient({ url, username: 'sr-user', password: 'sr-pass' });

  it('registers under <topic>-value, resolves the id back to the schema, and caches both', async () => {
    const c = client();
    const id = await c.register('t.user-activity-logs-value', SCHEMA);
    expect(await c.register('t.user-activity-logs-value', SCHEMA)).toBe(id);
    expect(await c.schemaById(id)).toBe(SCHEMA);
    expect(await c.schemaById(id)).toBe(SCHEMA);
    expect(registry.requests).toEqual([
      'POST /subjects/t.user-activity-logs-value/versions',
      `GET /schemas/ids/${id}`,
    ]);
  });

  it('reports an unknown id as SchemaNotFoundError (the record can never be read)', async () => {
    await expect(client().schemaById(424242)).rejects.toBeInstanceOf(SchemaNotFoundError);
  });

  it('reports wrong credentials, 5xx and no answer as unavailable, and retries after a failure', async () => {
    const anonymous = new ConfluentSchemaRegistryClient({ url });
    await expect(anonymous.register('s-value', SCHEMA)).rejects.toThrow(/401/);
    await expect(anonymous.register('s-value', SCHEMA)).rejects.toBeInstanceOf(
      SchemaRegistryUnavailableError,
    );
    const c = client();
    registry.failWith = 503;
    await expect(c.register('s-value', SCHEMA)).rejects.toBeInstanceOf(
      SchemaRegistryUnavailableError,
    );
    registry.failWith = undefined;
    await expect(c.register('s-value', SCHEMA)).resolves.toEqual(expect.any(Number));
    const nobody = new ConfluentSchemaRegistryClient({ url: 'http://127.0.0.1:1', timeoutMs: 500 });
    await expect(nobody.schemaById(1)).rejects.toBeInstanceOf(SchemaRegistryUnavailableError);
  });
});

describe('the static schema registry', () => {
  const registry = new StaticSchemaRegistry(new Map([[1, SCHEMA]]));

  it('answers the pinned id for the pinned schema, in any JSON formatting', async () => {
    await expect(
      registry.register('any-value', JSON.stringify(JSON.parse(SCHEMA), null, 2)),
    ).resolves.toBe(1);
    await expect(registry.schemaById(1)).resolves.toBe(SCHEMA);
  });

  it('knows no other schema and no other id', async () => {
    await expect(registry.register('any-value', '{"type":"string"}')).rejects.toBeInstanceOf(
      SchemaNotFoundError,
    );
    await expect(registry.schemaById(2)).rejects.toBeInstanceOf(SchemaNotFoundError);
  });
});
