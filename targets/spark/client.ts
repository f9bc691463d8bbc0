import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { connect as tlsConnect, rootCertificates } from "node:tls";
import * as grpc from "@grpc/grpc-js";
import { TsdfError } from "../../plan/errors.ts";
import { decodeMessage, encodeMessage, type ProtoMessage, type ProtoValue } from "./proto/codec.ts";
import type { RemoteTarget } from "./remote-url.ts";

const SERVICE = "/spark.connect.SparkConnectService";
/** Arrow result batches reach ~90 MB; grpc-js refuses anything over 4 MiB by default. */
const MAX_MESSAGE_BYTES = 1024 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;

export type Response = Record<string, ProtoValue>;

/** A failure reported by the server (or the channel), before it is tied to a sink. */
export class SparkCallError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One Spark Connect session over one gRPC channel: `Config` and `ExecutePlan`, encoded with
 * tsdf's own message table. Each session is isolated on the server, so its settings apply only here.
 */
export class SparkConnectClient {
  readonly sessionId = randomUUID();
  private readonly client: grpc.Client;
  private readonly userContext: ProtoMessage;

  private readonly roots: Buffer | null;

  constructor(readonly target: RemoteTarget) {
    this.roots = target.useSsl ? trustedRoots() : null;
    const creds = target.useSsl ? grpc.credentials.createSsl(this.roots) : grpc.credentials.createInsecure();
    this.client = new grpc.Client(`${target.host}:${target.port}`, creds, {
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    });
    const user = target.userId ?? safeUserName();
    this.userContext = { user_id: user, user_name: user };
  }

  /**
   * Waits until the channel is up; an unreachable server fails within 10 s, naming the address,
   * and a certificate this client does not trust fails at once, saying so.
   */
  async connect(timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    if (this.target.useSsl) {
      const untrusted = await this.untrustedCertificate(timeoutMs);
      if (untrusted !== undefined) throw untrusted;
    }
    await new Promise<void>((resolve, reject) => {
      this.client.waitForReady(deadline, (err) => {
        if (err === undefined) resolve();
        else {
          reject(
            new TsdfError("TSDF7002", `cannot reach the Spark Connect server at ${this.target.address} (waited ${Math.round(timeoutMs / 1000)} s)`, undefined, [
              "start it with sbin/start-connect-server.sh (listening on port 15002 by default), or check --remote / SPARK_REMOTE",
            ]),
          );
        }
      });
    });
  }

  /**
   * A TLS handshake of its own, first: grpc-js retries a refused certificate silently until the
   * deadline. Anything but a certificate failure is left to the channel to report.
   */
  private untrustedCertificate(timeoutMs: number): Promise<TsdfError | undefined> {
    const { host, port, address } = this.target;
    return new Promise((resolve) => {
      const socket = tlsConnect({ host, port, servername: host, ALPNProtocols: ["h2"], ...(this.roots !== null && { ca: this.roots }) }, () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.setTimeout(timeoutMs, () => socket.destroy());
      socket.once("close", () => resolve(undefined));
      socket.once("error", (e: NodeJS.ErrnoException) => {
        socket.destroy();
        const code = e.code ?? "";
        if (!/CERT|SIGNED|VERIFY|ERR_TLS/.test(code)) return resolve(undefined);
        resolve(
          new TsdfError("TSDF7002", `cannot connect securely to the Spark Connect server at ${address}: its certificate is not trusted (${e.message})`, undefined, [
            "trust the cluster's CA with NODE_EXTRA_CA_CERTS=<ca.pem> (or GRPC_DEFAULT_SSL_ROOTS_FILE_PATH), or add ;use_ssl=false to the sc:// URL for a server without TLS",
          ]),
        );
      });
    });
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.target.token !== undefined) md.set("authorization", `Bearer ${this.target.token}`);
    return md;
  }

  /** Sets session configuration (`spark.sql.ansi.enabled` and friends) for this session only. */
  config(pairs: Readonly<Record<string, string>>): Promise<void> {
    const request = {
      session_id: this.sessionId,
      user_context: this.userContext,
      client_type: "tsdf",
      operation: { set: { pairs: Object.entries(pairs).map(([key, value]) => ({ key, value })) } },
    };
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `${SERVICE}/Config`,
        (r: ProtoMessage) => Buffer.from(encodeMessage("spark.connect.ConfigRequest", r)),
        (b: Buffer) => decodeMessage("spark.connect.ConfigResponse", b),
        request,
        this.metadata(),
        (err) => (err ? reject(callError(err)) : resolve()),
      );
    });
  }

  /** Runs a plan (`{ root: relation }` or `{ command: ... }`) and yields each response as it streams in. */
  async *execute(plan: ProtoMessage): AsyncGenerator<Response> {
    const request = { session_id: this.sessionId, user_context: this.userContext, client_type: "tsdf", plan };
    const call = this.client.makeServerStreamRequest(
      `${SERVICE}/ExecutePlan`,
      (r: ProtoMessage) => Buffer.from(encodeMessage("spark.connect.ExecutePlanRequest", r)),
      (b: Buffer) => decodeMessage("spark.connect.ExecutePlanResponse", b),
      request,
      this.metadata(),
    );
    try {
      for await (const response of call) yield response as Response;
    } catch (e) {
      throw callError(e as grpc.ServiceError);
    } finally {
      call.cancel();
    }
  }

  close(): void {
    this.client.close();
  }
}

/**
 * The certificates a TLS channel trusts: those of GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (as in every
 * gRPC client, PySpark's included) or else Node's, plus NODE_EXTRA_CA_CERTS (a private CA, as for
 * any Node tool), which grpc-js's own TLS context leaves out; null for grpc-js's default.
 */
function trustedRoots(): Buffer | null {
  const read = (name: string): string | undefined => {
    const file = process.env[name];
    if (!file) return undefined;
    try {
      return readFileSync(file, "utf8");
    } catch (e) {
      throw new TsdfError("TSDF7005", `cannot read the certificates in ${name}=${file}: ${(e as Error).message}`);
    }
  };
  const extra = read("NODE_EXTRA_CA_CERTS");
  const base = read("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH");
  if (extra === undefined && base === undefined) return null;
  return Buffer.from([base ?? rootCertificates.join("\n"), extra ?? ""].join("\n"));
}

function callError(err: grpc.ServiceError): SparkCallError {
  return new SparkCallError(err.code, err.details || err.message);
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return "tsdf";
  }
}
