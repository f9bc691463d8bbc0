import { spawn } from "node:child_process";
import { resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PipelinePlan } from "../../../plan/logical.ts";
import { parseRunArgs } from "../../../runtime/job.ts";
import { runOnSpark } from "../../../targets/spark/run-on-spark.ts";
import { REPO } from "../../e2e/cli.ts";

/*
 * A stand-in Spark Connect server that checks the bearer token on the first call (Config), as a
 * cluster's authenticating proxy does: the client must send the token and say when it is refused.
 */

const TOKEN = "s3cret";
const seen: (string | undefined)[] = [];
const server = new grpc.Server();
let port = 0;

beforeAll(async () => {
  server.addService(
    {
      Config: {
        path: "/spark.connect.SparkConnectService/Config",
        requestStream: false,
        responseStream: false,
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b,
        responseDeserialize: (b: Buffer) => b,
      },
    },
    {
      Config: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const auth = call.metadata.get("authorization")[0]?.toString();
        seen.push(auth);
        if (auth === `Bearer ${TOKEN}`) callback(null, Buffer.alloc(0));
        else callback({ code: grpc.status.UNAUTHENTICATED, details: "invalid bearer token" });
      },
    },
  );
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
});
afterAll(() => server.forceShutdown());

const EMPTY: PipelinePlan = { name: "empty", params: [], sinks: [] };
const run = (remote: string, token?: string) =>
  runOnSpark(EMPTY, { remote, ...(token !== undefined && { token }), out: () => {}, decodeRows: () => [], formatShow: () => [] });

describe("authentication", () => {
  it("sends --token as a bearer header (here without TLS, as use_ssl=false asks)", async () => {
    await expect(run(`sc://127.0.0.1:${port}/;use_ssl=false`, TOKEN)).resolves.toEqual({ outputs: {} });
    expect(seen.at(-1)).toBe(`Bearer ${TOKEN}`);
  });

  it("says when the server refuses the credentials", async () => {
    await expect(run(`sc://127.0.0.1:${port}/;use_ssl=false;token=wrong`)).rejects.toMatchObject({
      code: "TSDF7003",
      message: expect.stringContaining(`127.0.0.1:${port} refused this client's credentials: invalid bearer token`),
    });
  });
});

describe("tsdf run --remote", () => {
  it("builds, connects with --token and reports the refusal with exit code 1", async () => {
    // Asynchronously: the stand-in server answers from this process's event loop.
    const child = spawn(
      process.execPath,
      [resolve(REPO, "bin/tsdf.mjs"), "run", resolve(REPO, "test/spark/fixtures/write-once.ts"), "--remote", `sc://127.0.0.1:${port}/;use_ssl=false`, "--token", "wrong"],
      { cwd: REPO },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(stderr).toContain("error TSDF7003");
    expect(code).toBe(1);
    expect(seen.at(-1)).toBe("Bearer wrong");
  }, 120_000);
});

describe("run arguments", () => {
  it("takes --remote and --token, or SPARK_REMOTE as PySpark does", () => {
    expect(parseRunArgs(["--remote", "sc://h:15002", "--token", "t"])).toMatchObject({ remote: "sc://h:15002", token: "t" });
    const saved = process.env.SPARK_REMOTE;
    process.env.SPARK_REMOTE = "sc://from-env:15002";
    try {
      expect(parseRunArgs([]).remote).toBe("sc://from-env:15002");
      expect(parseRunArgs(["--remote", "sc://flag:1"]).remote).toBe("sc://flag:1");
    } finally {
      if (saved === undefined) delete process.env.SPARK_REMOTE;
      else process.env.SPARK_REMOTE = saved;
    }
  });

  it("refuses --token without a remote", () => {
    const saved = process.env.SPARK_REMOTE;
    delete process.env.SPARK_REMOTE;
    try {
      expect(() => parseRunArgs(["--token", "t"])).toThrow(/--token needs --remote/);
    } finally {
      if (saved !== undefined) process.env.SPARK_REMOTE = saved;
    }
  });
});
