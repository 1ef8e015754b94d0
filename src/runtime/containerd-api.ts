/**
 * containerd's gRPC API over its socket, read-only except Tasks.Kill: namespaces, containers (labels,
 * extensions, spec), tasks (PIDs), images and content (the image config). Through @grpc/grpc-js and
 * @grpc/proto-loader (already in the tree under dockerode); the wire description below is written
 * here, field numbers as in containerd's api/ (stable from 1.x to 2.x), only the messages pid1 reads.
 */
import fs from 'node:fs';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { UserError, messageOf } from '../util/errors.js';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated'; keyType?: string }>;
const msg = (fields: Fields): { fields: Fields } => ({ fields });
const str = (id: number) => ({ type: 'string', id });
const map = (id: number, type = 'string') => ({ keyType: 'string', type, id });
const rpc = (requestType: string, responseType: string, responseStream = false) => ({ requestType, responseType, responseStream, comment: '' });

type ProtoJson = Parameters<typeof protoLoader.fromJSON>[0];

/** The subset of containerd's API pid1 uses, as a protobufjs JSON namespace. */
const API: ProtoJson = {
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: msg({ type_url: str(1), value: { type: 'bytes', id: 2 } }),
            Timestamp: msg({ seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } }),
            Empty: msg({}),
            FieldMask: msg({ paths: { type: 'string', id: 1, rule: 'repeated' } }),
          },
        },
      },
    },
    containerd: {
      nested: {
        // api/types/descriptor.proto
        types: { nested: { Descriptor: msg({ media_type: str(1), digest: str(2), size: { type: 'int64', id: 3 }, annotations: map(5) }) } },
        // api/types/task/task.proto (package containerd.v1.types)
        v1: {
          nested: {
            types: {
              nested: {
                Status: { values: { UNKNOWN: 0, CREATED: 1, RUNNING: 2, STOPPED: 3, PAUSED: 4, PAUSING: 5 } },
                Process: msg({ container_id: str(1), id: str(2), pid: { type: 'uint32', id: 3 }, status: { type: 'Status', id: 4 }, exit_status: { type: 'uint32', id: 9 } }),
              },
            },
          },
        },
        services: {
          nested: {
            // api/services/namespaces/v1/namespace.proto
            namespaces: {
              nested: {
                v1: {
                  nested: {
                    Namespaces: { methods: { List: rpc('ListNamespacesRequest', 'ListNamespacesResponse') } },
                    Namespace: msg({ name: str(1), labels: map(2) }),
                    ListNamespacesRequest: msg({ filter: str(1) }),
                    ListNamespacesResponse: msg({ namespaces: { type: 'Namespace', id: 1, rule: 'repeated' } }),
                  },
                },
              },
            },
            // api/services/containers/v1/containers.proto
            containers: {
              nested: {
                v1: {
                  nested: {
                    Containers: {
                      methods: {
                        Get: rpc('GetContainerRequest', 'GetContainerResponse'),
                        List: rpc('ListContainersRequest', 'ListContainersResponse'),
                        Update: rpc('UpdateContainerRequest', 'UpdateContainerResponse'),
                      },
                    },
                    Container: {
                      fields: {
                        id: str(1),
                        labels: map(2),
                        image: str(3),
                        runtime: { type: 'Runtime', id: 4 },
                        spec: { type: 'google.protobuf.Any', id: 5 },
                        snapshotter: str(6),
                        snapshot_key: str(7),
                        extensions: map(10, 'google.protobuf.Any'),
                        sandbox: str(11),
                      },
                      nested: { Runtime: msg({ name: str(1), options: { type: 'google.protobuf.Any', id: 2 } }) },
                    },
                    GetContainerRequest: msg({ id: str(1) }),
                    GetContainerResponse: msg({ container: { type: 'Container', id: 1 } }),
                    ListContainersRequest: msg({ filters: { type: 'string', id: 1, rule: 'repeated' } }),
                    ListContainersResponse: msg({ containers: { type: 'Container', id: 1, rule: 'repeated' } }),
                    UpdateContainerRequest: msg({ container: { type: 'Container', id: 1 }, update_mask: { type: 'google.protobuf.FieldMask', id: 2 } }),
                    UpdateContainerResponse: msg({ container: { type: 'Container', id: 1 } }),
                  },
                },
              },
            },
            // api/services/tasks/v1/tasks.proto
            tasks: {
              nested: {
                v1: {
                  nested: {
                    Tasks: { methods: { List: rpc('ListTasksRequest', 'ListTasksResponse'), Kill: rpc('KillRequest', 'google.protobuf.Empty') } },
                    ListTasksRequest: msg({ filter: str(1) }),
                    ListTasksResponse: msg({ tasks: { type: 'containerd.v1.types.Process', id: 1, rule: 'repeated' } }),
                    KillRequest: msg({ container_id: str(1), exec_id: str(2), signal: { type: 'uint32', id: 3 }, all: { type: 'bool', id: 4 } }),
                  },
                },
              },
            },
            // api/services/images/v1/images.proto
            images: {
              nested: {
                v1: {
                  nested: {
                    Images: { methods: { Get: rpc('GetImageRequest', 'GetImageResponse') } },
                    Image: msg({ name: str(1), labels: map(2), target: { type: 'containerd.types.Descriptor', id: 3 } }),
                    GetImageRequest: msg({ name: str(1) }),
                    GetImageResponse: msg({ image: { type: 'Image', id: 1 } }),
                  },
                },
              },
            },
            // api/services/content/v1/content.proto
            content: {
              nested: {
                v1: {
                  nested: {
                    Content: { methods: { Read: rpc('ReadContentRequest', 'ReadContentResponse', true) } },
                    ReadContentRequest: msg({ digest: str(1), offset: { type: 'int64', id: 2 }, size: { type: 'int64', id: 3 } }),
                    ReadContentResponse: msg({ offset: { type: 'int64', id: 1 }, data: { type: 'bytes', id: 2 } }),
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

export interface AnyValue {
  typeUrl: string;
  value: Buffer;
}

export interface ApiContainer {
  id: string;
  labels: Record<string, string>;
  image: string;
  runtime: string;
  /** The OCI runtime spec (its Any value is the spec's JSON). */
  spec?: AnyValue;
  snapshotter: string;
  snapshotKey: string;
  extensions: Record<string, AnyValue>;
}

interface ApiTask {
  containerId: string;
  pid: number;
  status: 'UNKNOWN' | 'CREATED' | 'RUNNING' | 'STOPPED' | 'PAUSED' | 'PAUSING';
  exitStatus: number;
}
interface ApiImage {
  name: string;
  labels: Record<string, string>;
  target: { mediaType: string; digest: string; size: number };
}

/** The metadata key carrying the namespace on every call (containerd namespaces/grpc.go, GRPCHeader). */
const NAMESPACE_HEADER = 'containerd-namespace';

type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void;
type ServerStream = (req: object, md: grpc.Metadata, opts: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;
interface ServiceClient {
  [method: string]: unknown;
  close(): void;
}
type ServiceCtor = new (address: string, creds: grpc.ChannelCredentials, options?: object) => ServiceClient;

let loaded: grpc.GrpcObject | undefined;
function api(): grpc.GrpcObject {
  // keepCase: field names as in the .proto; bytes as Buffers; enums as names; int64 as numbers (sizes, offsets).
  loaded ??= grpc.loadPackageDefinition(protoLoader.fromJSON(API, { keepCase: true, longs: Number, enums: String, bytes: Buffer, defaults: true }));
  return loaded;
}

function serviceCtor(path: string): ServiceCtor {
  let cur: unknown = api();
  for (const part of path.split('.')) cur = (cur as Record<string, unknown>)[part];
  if (typeof cur !== 'function') throw new Error(`containerd API descriptor lacks ${path}`);
  return cur as ServiceCtor;
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));
function anyOf(v: unknown): AnyValue | undefined {
  const o = obj(v);
  return typeof o.type_url === 'string' && o.type_url && Buffer.isBuffer(o.value) ? { typeUrl: o.type_url, value: o.value } : undefined;
}

function toContainer(v: unknown): ApiContainer {
  const o = obj(v);
  const extensions: Record<string, AnyValue> = {};
  for (const [k, e] of Object.entries(obj(o.extensions))) {
    const a = anyOf(e);
    if (a) extensions[k] = a;
  }
  const spec = anyOf(o.spec);
  return {
    id: text(o.id),
    labels: strings(o.labels),
    image: text(o.image),
    runtime: text(obj(o.runtime).name),
    ...(spec ? { spec } : {}),
    snapshotter: text(o.snapshotter),
    snapshotKey: text(o.snapshot_key),
    extensions,
  };
}

/** A unix socket path as grpc-js wants it (`unix:///abs/path`); `unix://`-prefixed input is kept. */
function grpcTarget(address: string): string {
  address = address.trim();
  if (address.startsWith('unix://')) return address.startsWith('unix:///') ? address : `unix://${address.slice('unix://'.length)}`;
  if (address.startsWith('/')) return `unix://${address}`;
  throw new UserError(`containerd address ${address}: expected a unix socket path (/run/containerd/containerd.sock or unix:///...)`);
}

/** A connection to one containerd. Every call names its namespace; close() when done. */
export class ContainerdApi {
  private readonly clients = new Map<string, ServiceClient>();

  constructor(
    readonly address: string,
    private readonly timeoutMs = 5000,
  ) {}

  private client(service: string): ServiceClient {
    let c = this.clients.get(service);
    if (!c) {
      const Ctor = serviceCtor(`containerd.services.${service}`);
      c = new Ctor(grpcTarget(this.address), grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
      this.clients.set(service, c);
    }
    return c;
  }

  private meta(namespace: string | undefined): grpc.Metadata {
    const md = new grpc.Metadata();
    if (namespace !== undefined) md.set(NAMESPACE_HEADER, namespace);
    return md;
  }

  private call(service: string, method: string, namespace: string | undefined, req: object): Promise<unknown> {
    const c = this.client(service);
    const fn = c[method] as Unary | undefined;
    if (typeof fn !== 'function') return Promise.reject(new Error(`no method ${service}.${method}`));
    return new Promise((resolve, reject) => {
      fn.call(c, req, this.meta(namespace), { deadline: Date.now() + this.timeoutMs }, (err, res) => {
        if (err) reject(new ContainerdError(`${service.split('.')[0]}.${method}`, this.address, err));
        else resolve(res);
      });
    });
  }

  async namespaces(): Promise<string[]> {
    const res = obj(await this.call('namespaces.v1.Namespaces', 'List', undefined, {}));
    return (Array.isArray(res.namespaces) ? res.namespaces : []).map((n) => text(obj(n).name)).filter(Boolean);
  }

  async containers(namespace: string): Promise<ApiContainer[]> {
    const res = obj(await this.call('containers.v1.Containers', 'List', namespace, { filters: [] }));
    return (Array.isArray(res.containers) ? res.containers : []).map(toContainer);
  }

  async container(namespace: string, id: string): Promise<ApiContainer | undefined> {
    try {
      return toContainer(obj(await this.call('containers.v1.Containers', 'Get', namespace, { id })).container);
    } catch (err) {
      if (err instanceof ContainerdError && err.code === grpc.status.NOT_FOUND) return undefined;
      throw err;
    }
  }

  /** Replace some of a container's labels or extensions (`paths` like labels.KEY, extensions.KEY). */
  async updateContainer(namespace: string, c: { id: string; labels?: Record<string, string>; extensions?: Record<string, AnyValue> }, paths: string[]): Promise<void> {
    const extensions = Object.fromEntries(Object.entries(c.extensions ?? {}).map(([k, a]) => [k, { type_url: a.typeUrl, value: a.value }]));
    await this.call('containers.v1.Containers', 'Update', namespace, { container: { id: c.id, labels: c.labels ?? {}, extensions }, update_mask: { paths } });
  }

  async tasks(namespace: string): Promise<ApiTask[]> {
    const res = obj(await this.call('tasks.v1.Tasks', 'List', namespace, { filter: '' }));
    return (Array.isArray(res.tasks) ? res.tasks : []).map((t) => {
      const o = obj(t);
      // Tasks.List fills `id` with the container's ID (services/tasks/local.go, getProcessState).
      return { containerId: text(o.id) || text(o.container_id), pid: Number(o.pid ?? 0), status: (text(o.status) || 'UNKNOWN') as ApiTask['status'], exitStatus: Number(o.exit_status ?? 0) };
    });
  }

  /** Tasks.Kill: what `ctr task kill` does (the shim signals the task's init, or every process with `all`). */
  async kill(namespace: string, id: string, signal: number, all = false): Promise<void> {
    await this.call('tasks.v1.Tasks', 'Kill', namespace, { container_id: id, exec_id: '', signal, all });
  }

  async image(namespace: string, name: string): Promise<ApiImage | undefined> {
    try {
      const im = obj(obj(await this.call('images.v1.Images', 'Get', namespace, { name })).image);
      const t = obj(im.target);
      return { name: text(im.name), labels: strings(im.labels), target: { mediaType: text(t.media_type), digest: text(t.digest), size: Number(t.size ?? 0) } };
    } catch (err) {
      if (err instanceof ContainerdError && err.code === grpc.status.NOT_FOUND) return undefined;
      throw err;
    }
  }

  /** A blob of the content store, whole (manifests and configs are small; `limit` guards the rest). */
  read(namespace: string, digest: string, limit = 4 * 1024 * 1024): Promise<Buffer> {
    const c = this.client('content.v1.Content');
    const fn = c.Read as ServerStream;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const stream = fn.call(c, { digest, offset: 0, size: 0 }, this.meta(namespace), { deadline: Date.now() + this.timeoutMs });
      stream.on('data', (d: unknown) => {
        const data = obj(d).data;
        if (!Buffer.isBuffer(data)) return;
        size += data.length;
        if (size > limit) {
          stream.cancel();
          reject(new UserError(`containerd content ${digest} is larger than ${limit} bytes: not an image manifest or config`));
          return;
        }
        chunks.push(data);
      });
      stream.on('error', (err: grpc.ServiceError) => {
        if (err.code !== grpc.status.CANCELLED) reject(new ContainerdError('content.Read', this.address, err));
      });
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

/** A failed call, with the gRPC status and a one-line message naming the socket. */
class ContainerdError extends UserError {
  readonly code: number;
  constructor(what: string, address: string, err: grpc.ServiceError) {
    // grpc-js appends a resolver note to connection errors: not the user's business.
    const details = (err.details || messageOf(err))
      .replace(/\s*Resolution note:.*$/s, '')
      .replace(/\s+/g, ' ')
      .trim();
    const why =
      err.code !== grpc.status.UNAVAILABLE
        ? `containerd ${what} at ${address}: ${details}`
        : fs.existsSync(address)
          ? `containerd does not answer at ${address}: ${details}`
          : `no containerd socket at ${address}`;
    super(why);
    this.code = err.code;
  }
}
