import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer, type Server } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deserializePlan } from "../../../plan/serialize.ts";
import { parseRemote } from "../../../targets/spark/remote-url.ts";
import { REPO, tsdf } from "../../e2e/cli.ts";
import { outputText } from "../../reference/csv-table.ts";
import { REMOTE } from "../cluster-run.ts";

/*
 * `tsdf run --remote` as a user runs it, against the test cluster: run parameters reach Spark, the
 * server's bearer token (scripts/spark-cluster.mjs starts it with spark.connect.authenticate.token)
 * is required, and the server is reached over TLS as a cluster usually is, through a
 * TLS-terminating proxy (an ingress) whose certificate the client trusts through
 * NODE_EXTRA_CA_CERTS.
 */

const work = mkdtempSync(join(tmpdir(), "tsdf-remote-cli-"));
const server = parseRemote(REMOTE);
const TOKEN = server.token ?? "";
const FIXTURE = resolve(REPO, "test/spark/fixtures/write-once.ts");
let proxy: Server;
let proxyPort = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  const made = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
    { cwd: work, encoding: "utf8" },
  );
  if (made.status !== 0) throw new Error(`openssl could not make the test certificate: ${made.stderr ?? made.error}`);
  proxy = createServer({ key: readFileSync(join(work, "key.pem")), cert: readFileSync(join(work, "cert.pem")), ALPNProtocols: ["h2"] }, (client) => {
    const upstream = connect({ host: server.host, port: server.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  proxyPort = await new Promise<number>((ok) => proxy.listen(0, "127.0.0.1", () => ok((proxy.address() as { port: number }).port)));
});

afterAll(() => {
  for (const s of sockets) s.destroy();
  proxy?.close();
  rmSync(work, { recursive: true, force: true });
});

/** `tsdf run` in a child process, asynchronously: the TLS proxy answers from this process's event loop. */
async function tsdfRun(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [resolve(REPO, "bin/tsdf.mjs"), "run", ...args], { cwd: REPO, env: { ...process.env, SPARK_REMOTE: undefined, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  return { code, stdout, stderr };
}

/** A data folder with the input of write-once.ts. */
function dataDir(name: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, "input"), { recursive: true });
  writeFileSync(join(dir, "input/rows.csv"), "id,s\n1,a\n2,\n3,b\n");
  return dir;
}

describe("tsdf run --remote on the cluster", () => {
  it("passes --param values to Spark: the sales ETL with min_quantity=3 matches a local run with it", async () => {
    const example = resolve(REPO, "examples/sales-etl");
    const dist = join(work, "sales-dist");
    expect(tsdf(["build", join(example, "sales_etl.ts"), "--out", dist, "--target", "spark"]).code).toBe(0);
    const bundle = join(dist, "sales_etl.mjs");
    const runs = ["spark", "local"].map((which) => {
      const data = join(work, `sales-${which}`);
      cpSync(join(example, "input"), join(data, "input"), { recursive: true });
      const args = [bundle, "--data-dir", data, "--current-date", "2024-06-30", "--param", "min_quantity=3", "--quiet"];
      const r = spawnSync(process.execPath, which === "spark" ? [...args, "--remote", REMOTE] : args, { encoding: "utf8", timeout: 300_000 });
      expect(r.status, r.stderr).toBe(0);
      return { data, stdout: r.stdout };
    }) as [{ data: string; stdout: string }, { data: string; stdout: string }];
    expect(runs[0].stdout).toBe(runs[1].stdout);
    const plan = deserializePlan(readFileSync(join(dist, "sales_etl.plan.json"), "utf8"));
    let changedByParam = 0;
    for (const w of plan.sinks.filter((s) => s.kind === "Write")) {
      const [spark, local] = await Promise.all(runs.map((r) => outputText(join(r.data, w.path), w.format, w.input.schema, w.input.kind === "Sort", w.options.header ?? true)));
      expect(spark, w.path).toBe(local);
      const byDefault = readFileSync(join(example, "expected", `${w.path.replace(/^output\//, "")}.csv`), "utf8");
      if (local !== byDefault) changedByParam++;
    }
    expect(changedByParam).toBeGreaterThan(0);
  }, 600_000);

  it("requires the server's token: without it the run is refused (TSDF7003) and writes nothing", async () => {
    const data = dataDir("no-token");
    const r = await tsdfRun([FIXTURE, "--data-dir", data, "--remote", `sc://${server.host}:${server.port}/;use_ssl=false`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error TSDF7003");
    expect(r.stderr).toContain("refused this client's credentials");
    expect(existsSync(join(data, "output"))).toBe(false);
  }, 120_000);

  it("runs over TLS with --token, trusting the proxy's certificate through NODE_EXTRA_CA_CERTS", async () => {
    const data = dataDir("tls");
    const r = await tsdfRun([FIXTURE, "--data-dir", data, "--remote", `sc://localhost:${proxyPort}/;use_ssl=true`, "--token", TOKEN], {
      NODE_EXTRA_CA_CERTS: join(work, "cert.pem"),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("TSDF");
    expect(existsSync(join(data, "output/once/_SUCCESS"))).toBe(true);
  }, 120_000);

  it("over TLS, a wrong token is refused (TSDF7003)", async () => {
    const r = await tsdfRun([FIXTURE, "--data-dir", dataDir("tls-wrong-token"), "--remote", `sc://localhost:${proxyPort}/;token=wrong`], {
      NODE_EXTRA_CA_CERTS: join(work, "cert.pem"),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error TSDF7003");
  }, 120_000);

  it("refuses a certificate it does not trust at once, saying so", async () => {
    const started = Date.now();
    const r = await tsdfRun([FIXTURE, "--data-dir", dataDir("tls-untrusted"), "--remote", `sc://localhost:${proxyPort}/;use_ssl=true`, "--token", TOKEN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error TSDF7002");
    expect(r.stderr).toContain("its certificate is not trusted");
    // Not the unreachable server's 10 s wait: the handshake's own failure is reported.
    expect(Date.now() - started).toBeLessThan(9000);
  }, 120_000);
});
