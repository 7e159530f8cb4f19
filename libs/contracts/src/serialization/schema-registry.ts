/** The id is not known to the registry: records naming it can never be decoded. */
export class SchemaNotFoundError extends Error {}

/** The registry could not be reached or failed (transient: worth waiting for). */
export class SchemaRegistryUnavailableError extends Error {}

/** Where Avro writer schemas live, by id (the port; Confluent REST or a fixed map). */
export interface SchemaRegistry {
  /** Registers (or finds) `schema` under `subject`; resolves its global id. */
  register(subject: string, schema: string): Promise<number>;
  /** The schema text of an id; rejects with SchemaNotFoundError when there is none. */
  schemaById(id: number): Promise<string>;
}

/** A fixed id → schema map, for deployments that pin the schema (and for tests). */
export class StaticSchemaRegistry implements SchemaRegistry {
  constructor(private readonly schemas: ReadonlyMap<number, string>) {}

  register(subject: string, schema: string): Promise<number> {
    const canonical = JSON.stringify(JSON.parse(schema));
    for (const [id, known] of this.schemas) {
      if (JSON.stringify(JSON.parse(known)) === canonical) return Promise.resolve(id);
    }
    return Promise.reject(
      new SchemaNotFoundError(`the static registry has no id for the schema of ${subject}`),
    );
  }

  schemaById(id: number): Promise<string> {
    const schema = this.schemas.get(id);
    return schema === undefined
      ? Promise.reject(new SchemaNotFoundError(`schema id ${id} is not in the static registry`))
      : Promise.resolve(schema);
  }
}

export interface ConfluentRegistryOptions {
  url: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * The Confluent Schema Registry REST API (also served by Karapace and Apicurio's compatibility
 * API): POST /subjects/{subject}/versions registers, GET /schemas/ids/{id} resolves. Ids are
 * immutable, so both answers are cached for the life of the process.
 */
export class ConfluentSchemaRegistryClient implements SchemaRegistry {
  private readonly ids = new Map<string, Promise<number>>();
  private readonly schemas = new Map<number, Promise<string>>();
  private readonly baseUrl: string;

  constructor(private readonly options: ConfluentRegistryOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
  }

  register(subject: string, schema: string): Promise<number> {
    const key = `${subject}\n${schema}`;
    return this.cached(this.ids, key, async () => {
      const path = `/subjects/${encodeURIComponent(subject)}/versions`;
      const body = await this.request(path, { method: 'POST', body: JSON.stringify({ schema }) });
      return readField(body, 'id', 'number');
    });
  }

  schemaById(id: number): Promise<string> {
    return this.cached(this.schemas, id, async () => {
      const body = await this.request(`/schemas/ids/${id}`, { method: 'GET' });
      return readField(body, 'schema', 'string');
    });
  }

  /** Caches the promise (one request per key), forgetting failures so the next call retries. */
  private cached<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    let entry = cache.get(key);
    if (!entry) {
      entry = load();
      cache.set(key, entry);
      void entry.catch(() => cache.delete(key));
    }
    return entry;
  }

  private async request(path: string, init: { method: string; body?: string }): Promise<unknown> {
    const headers: Record<string, string> = { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE };
    const { username, password } = this.options;
    if (username !== undefined) {
      const token = Buffer.from(`${username}:${password ?? ''}`).toString('base64');
      headers.authorization = `Basic ${token}`;
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        ...init,
        headers,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SchemaRegistryUnavailableError(`schema registry ${this.baseUrl}: ${reason}`);
    }
    const text = await response.text();
    const detail = `${init.method} ${path} answered ${response.status}: ${text.slice(0, 200)}`;
    // 404: unknown id or subject. Anything else (auth, 5xx) is the registry's or config's fault,
    // never the record's: callers wait rather than dead-letter.
    if (response.status === 404) throw new SchemaNotFoundError(`schema registry: ${detail}`);
    if (!response.ok) throw new SchemaRegistryUnavailableError(`schema registry: ${detail}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SchemaRegistryUnavailableError(`schema registry: ${detail} (not JSON)`);
    }
  }
}

function readField<T extends 'number' | 'string'>(
  body: unknown,
  field: string,
  type: T,
): T extends 'number' ? number : string {
  const value = (body as Record<string, unknown> | null)?.[field];
  if (typeof value !== type)
    throw new SchemaRegistryUnavailableError(`schema registry answer has no ${type} "${field}"`);
  return value as T extends 'number' ? number : string;
}
