import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A test double of a Confluent Schema Registry (none can be installed here): a real HTTP server
 * with the two endpoints the apps use, POST /subjects/{subject}/versions and GET
 * /schemas/ids/{id}, behind basic auth. It records requests so a test can see who asked what.
 */
export class RegistryDouble {
  readonly requests: string[] = [];
  private readonly schemas: string[] = [];
  private server?: Server;

  constructor(private readonly credentials: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    this.requests.push(`${req.method} ${req.url}`);
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify(json));
    };
    const expected = `Basic ${Buffer.from(this.credentials).toString('base64')}`;
    if (req.headers.authorization !== expected) return reply(401, { error_code: 401 });
    if (req.method === 'POST' && /^\/subjects\/[^/]+\/versions$/.test(req.url ?? '')) {
      const { schema } = JSON.parse(body) as { schema: string };
      if (!this.schemas.includes(schema)) this.schemas.push(schema);
      // Ids as a real registry hands them out: global, starting at 1.
      return reply(200, { id: this.schemas.indexOf(schema) + 1 });
    }
    const id = Number(/^\/schemas\/ids\/(\d+)$/.exec(req.url ?? '')?.[1]);
    const schema = req.method === 'GET' ? this.schemas[id - 1] : undefined;
    if (schema) return reply(200, { schema });
    return reply(404, { error_code: 40403, message: 'Schema not found' });
  }
}
