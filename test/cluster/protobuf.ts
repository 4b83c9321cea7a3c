// kubectl's typed commands (`create namespace`, `create configmap`, `create secret`) send core
// objects as Kubernetes protobuf (`application/vnd.kubernetes.protobuf`). This decodes the few
// fields of Namespace, ConfigMap, Secret (and `auth can-i`'s SelfSubjectAccessReview) that those
// commands write into the JSON form.
import type { JsonRecord } from './json';

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

interface Field {
  number: number;
  /** Varint value, or the bytes of a length-delimited field. */
  value: bigint | Buffer;
}

function readVarint(buffer: Buffer, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (offset >= buffer.length) throw new Error('truncated varint');
    const byte = buffer[offset++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, offset];
    shift += 7n;
  }
}

function fields(buffer: Buffer): Field[] {
  const out: Field[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [key, next] = readVarint(buffer, offset);
    offset = next;
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buffer, offset);
      out.push({ number, value });
      offset = after;
    } else if (wire === 2) {
      const [length, after] = readVarint(buffer, offset);
      const end = after + Number(length);
      out.push({ number, value: buffer.subarray(after, end) });
      offset = end;
    } else if (wire === 1) {
      offset += 8;
    } else if (wire === 5) {
      offset += 4;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
  return out;
}

function text(field: Field): string {
  return Buffer.isBuffer(field.value) ? field.value.toString('utf8') : String(field.value);
}

function bytes(field: Field): Buffer {
  return Buffer.isBuffer(field.value) ? field.value : Buffer.alloc(0);
}

function map(entries: Field[], asBase64 = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    let key = '';
    let value = '';
    for (const f of fields(bytes(entry))) {
      if (f.number === 1) key = text(f);
      if (f.number === 2) value = asBase64 ? bytes(f).toString('base64') : text(f);
    }
    out[key] = value;
  }
  return out;
}

function objectMeta(buffer: Buffer): JsonRecord {
  const all = fields(buffer);
  const meta: JsonRecord = {};
  const strings: Record<number, string> = { 1: 'name', 2: 'generateName', 3: 'namespace', 5: 'uid', 6: 'resourceVersion' };
  for (const f of all) {
    const name = strings[f.number];
    if (name) meta[name] = text(f);
  }
  const labels = all.filter((f) => f.number === 11);
  const annotations = all.filter((f) => f.number === 12);
  const finalizers = all.filter((f) => f.number === 14).map(text);
  if (labels.length) meta.labels = map(labels);
  if (annotations.length) meta.annotations = map(annotations);
  if (finalizers.length) meta.finalizers = finalizers;
  return meta;
}

/** Decodes a `k8s\0`-prefixed protobuf body of a Namespace, ConfigMap or Secret; throws for anything else. */
export function decodeProtobuf(body: Buffer): JsonRecord {
  if (!body.subarray(0, 4).equals(magic)) throw new Error('not a Kubernetes protobuf message');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of fields(body.subarray(4))) {
    if (f.number === 1) {
      for (const t of fields(bytes(f))) {
        if (t.number === 1) apiVersion = text(t);
        if (t.number === 2) kind = text(t);
      }
    }
    if (f.number === 2) raw = bytes(f);
  }
  const all = fields(raw);
  const object: JsonRecord = { apiVersion, kind };
  const metadata = all.find((f) => f.number === 1);
  object.metadata = metadata ? objectMeta(bytes(metadata)) : {};
  const byNumber = (n: number): Field[] => all.filter((f) => f.number === n);
  switch (kind) {
    case 'Namespace':
      break;
    case 'ConfigMap':
      if (byNumber(2).length) object.data = map(byNumber(2));
      if (byNumber(3).length) object.binaryData = map(byNumber(3), true);
      if (byNumber(4).length) object.immutable = byNumber(4)[0]!.value === 1n;
      break;
    case 'Secret':
      if (byNumber(2).length) object.data = map(byNumber(2), true);
      if (byNumber(3).length) object.type = text(byNumber(3)[0]!);
      if (byNumber(4).length) object.stringData = map(byNumber(4));
      if (byNumber(5).length) object.immutable = byNumber(5)[0]!.value === 1n;
      break;
    case 'SelfSubjectAccessReview': {
      const spec = byNumber(2)[0];
      const attributes = spec ? fields(bytes(spec)).find((f) => f.number === 1) : undefined;
      const names = ['', 'namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
      const resourceAttributes: JsonRecord = {};
      for (const f of attributes ? fields(bytes(attributes)) : []) {
        if (names[f.number]) resourceAttributes[names[f.number]!] = text(f);
      }
      object.spec = attributes ? { resourceAttributes } : {};
      break;
    }
    default:
      throw new Error(`protobuf bodies of kind ${kind} are not supported by this test server; send JSON`);
  }
  return object;
}
