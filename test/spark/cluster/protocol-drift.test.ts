import { describe, expect, it } from "vitest";
import { ENUMS, MESSAGES } from "../../../targets/spark/proto/messages.ts";
import { connectJar, parseProtos, readJarProtos } from "../proto-resources.ts";

/*
 * Every message, field and enum value tsdf sends or reads, checked against the .proto resources
 * of the server jar that the cluster runs, so a protocol change in Spark fails here first.
 */

const server = parseProtos(readJarProtos(connectJar()));

describe("tsdf's Spark Connect messages match the server's .proto files", () => {
  it("reads the server's protocol (the check below is not vacuous)", () => {
    expect(server.messages.get("spark.connect.Relation")?.size).toBeGreaterThan(40);
    expect(server.enums.get("spark.connect.Join.JoinType")?.get("JOIN_TYPE_INNER")).toBe(1);
  });

  for (const [message, fields] of Object.entries(MESSAGES)) {
    it(message, () => {
      const actual = server.messages.get(message);
      expect(actual, `${message} is not in the server's protocol`).toBeDefined();
      for (const [name, spec] of Object.entries(fields)) {
        const field = actual?.get(name);
        expect(field, `${message}.${name}`).toBeDefined();
        expect({ no: field?.no, type: field?.type, repeated: field?.repeated }, `${message}.${name}`).toEqual({
          no: spec.no,
          type: spec.type,
          repeated: spec.repeated === true,
        });
      }
    });
  }

  for (const [name, values] of Object.entries(ENUMS)) {
    it(`enum ${name}`, () => {
      const actual = server.enums.get(name);
      expect(actual, `${name} is not in the server's protocol`).toBeDefined();
      for (const [value, n] of Object.entries(values)) expect(actual?.get(value), `${name}.${value}`).toBe(n);
    });
  }
});
