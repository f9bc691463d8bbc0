import { describe, expect, it } from "vitest";
import { parseRemote } from "../../../targets/spark/remote-url.ts";

describe("sc:// URLs", () => {
  it("defaults to port 15002 without TLS", () => {
    expect(parseRemote("sc://spark.local")).toEqual({ host: "spark.local", port: 15002, useSsl: false, address: "spark.local:15002" });
  });

  it("reads token, use_ssl and user_id parameters; a token turns TLS on unless use_ssl=false", () => {
    expect(parseRemote("sc://h:443/;token=abc;user_id=ana")).toMatchObject({ host: "h", port: 443, token: "abc", useSsl: true, userId: "ana" });
    expect(parseRemote("sc://h:15002/;use_ssl=false", "t")).toMatchObject({ token: "t", useSsl: false });
  });

  it("rejects what is not a Spark Connect URL", () => {
    expect(() => parseRemote("http://h:15002")).toThrow(/sc:\/\/host:15002/);
    expect(() => parseRemote("sc://h:1/;oops")).toThrow(/key=value/);
  });
});
