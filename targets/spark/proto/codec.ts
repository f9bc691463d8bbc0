import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { ENUMS, type FieldSpec, MESSAGES, type MessageSpec } from "./messages.ts";

/**
 * A protobuf message as a plain object keyed by the `.proto` field names of `MESSAGES`: a oneof
 * is whichever of its fields is set, an enum value is its name, a map is a string record.
 */
export interface ProtoMessage {
  readonly [field: string]: ProtoValue | undefined;
}
export type ProtoValue = string | number | bigint | boolean | Uint8Array | ProtoMessage | readonly ProtoValue[];

function spec(type: string): MessageSpec {
  const m = MESSAGES[type];
  if (m === undefined) throw new Error(`internal: no message ${type} in targets/spark/proto/messages.ts`);
  return m;
}

/** Encodes `value` as the message `type`; a field not in the table is an internal error, not silently dropped. */
export function encodeMessage(type: string, value: ProtoMessage): Uint8Array {
  const w = new BinaryWriter();
  writeFields(w, type, value);
  return w.finish();
}

function writeFields(w: BinaryWriter, type: string, value: ProtoMessage): void {
  const fields = spec(type);
  for (const [name, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const field = fields[name];
    if (field === undefined) throw new Error(`internal: ${type} has no field '${name}' in targets/spark/proto/messages.ts`);
    if (field.repeated) for (const item of v as readonly ProtoValue[]) writeField(w, field, item);
    else writeField(w, field, v);
  }
}

function writeField(w: BinaryWriter, field: FieldSpec, v: ProtoValue): void {
  const { no, type } = field;
  switch (type) {
    case "string":
      w.tag(no, WireType.LengthDelimited).string(v as string);
      return;
    case "bytes":
      w.tag(no, WireType.LengthDelimited).bytes(v as Uint8Array);
      return;
    case "bool":
      w.tag(no, WireType.Varint).bool(v as boolean);
      return;
    case "int32":
      w.tag(no, WireType.Varint).int32(v as number);
      return;
    case "uint32":
      w.tag(no, WireType.Varint).uint32(v as number);
      return;
    case "int64":
      w.tag(no, WireType.Varint).int64(v as bigint | number);
      return;
    case "double":
      w.tag(no, WireType.Bit64).double(v as number);
      return;
    case "map<string,string>":
      // A map is a repeated entry message with the key as field 1 and the value as field 2.
      for (const [k, s] of Object.entries(v as Record<string, string>)) {
        w.tag(no, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(k).tag(2, WireType.LengthDelimited).string(s).join();
      }
      return;
    default: {
      const enumValues = ENUMS[type];
      if (enumValues !== undefined) {
        const n = enumValues[v as string];
        if (n === undefined) throw new Error(`internal: ${type} has no value ${String(v)}`);
        w.tag(no, WireType.Varint).int32(n);
        return;
      }
      // An empty sub-message is still written: in a oneof, its presence is the value (DataType.string).
      w.tag(no, WireType.LengthDelimited).fork();
      writeFields(w, type, v as ProtoMessage);
      w.join();
    }
  }
}

/** Decodes the fields of `type` that the table knows; others are skipped, as protobuf allows. */
export function decodeMessage(type: string, bytes: Uint8Array): Record<string, ProtoValue> {
  const fields = spec(type);
  const byNumber = new Map(Object.entries(fields).map(([name, field]) => [field.no, { name, field }]));
  const out: Record<string, ProtoValue> = {};
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, wireType] = r.tag();
    const known = byNumber.get(no);
    if (known === undefined) {
      r.skip(wireType, no);
      continue;
    }
    const v = readField(r, known.field);
    if (known.field.repeated) out[known.name] = [...((out[known.name] as ProtoValue[] | undefined) ?? []), v];
    else out[known.name] = v;
  }
  return out;
}

function readField(r: BinaryReader, field: FieldSpec): ProtoValue {
  switch (field.type) {
    case "string":
      return r.string();
    case "bytes":
      return r.bytes();
    case "bool":
      return r.bool();
    case "int32":
      return r.int32();
    case "uint32":
      return r.uint32();
    case "int64":
      return BigInt(r.int64());
    case "double":
      return r.double();
    case "map<string,string>": {
      const entry = new BinaryReader(r.bytes());
      let key = "";
      let value = "";
      while (entry.pos < entry.len) {
        const [no, wt] = entry.tag();
        if (no === 1) key = entry.string();
        else if (no === 2) value = entry.string();
        else entry.skip(wt, no);
      }
      return { [key]: value };
    }
    default: {
      const enumValues = ENUMS[field.type];
      if (enumValues !== undefined) {
        const n = r.int32();
        return Object.entries(enumValues).find(([, v]) => v === n)?.[0] ?? n;
      }
      return decodeMessage(field.type, r.bytes());
    }
  }
}
