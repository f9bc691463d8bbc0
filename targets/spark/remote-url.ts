import { TsdfError } from "../../plan/errors.ts";

/** A Spark Connect endpoint, from `sc://host:port/;token=...;use_ssl=true` as PySpark reads it. */
export interface RemoteTarget {
  readonly host: string;
  readonly port: number;
  readonly token?: string;
  readonly useSsl: boolean;
  readonly userId?: string;
  /** `host:port`, for messages. */
  readonly address: string;
}

const DEFAULT_PORT = 15002;

/**
 * Parses a Spark Connect URL. A token travels as a bearer header; as in PySpark it turns TLS on
 * unless the URL says `use_ssl=false` (a loopback test server has no certificate).
 *
 * @example
 * parseRemote("sc://spark.example.com:15002/;use_ssl=true", "s3cret")
 */
export function parseRemote(url: string, token?: string): RemoteTarget {
  const m = /^sc:\/\/(\[[^\]]+\]|[^:/;]+)(?::(\d+))?\/?(.*)$/.exec(url.trim());
  if (m === null) {
    throw new TsdfError("TSDF7005", `--remote expects a Spark Connect URL like sc://host:15002, got '${url}'`);
  }
  const params = new Map<string, string>();
  for (const part of (m[3] ?? "").split(";")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) throw new TsdfError("TSDF7005", `--remote: '${part}' is not a key=value parameter in '${url}'`);
    params.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1)));
  }
  const host = (m[1] as string).replace(/^\[|\]$/g, "");
  const port = m[2] === undefined ? DEFAULT_PORT : Number(m[2]);
  const theToken = token ?? params.get("token");
  const ssl = params.get("use_ssl");
  const userId = params.get("user_id");
  return {
    host,
    port,
    ...(theToken !== undefined && { token: theToken }),
    useSsl: ssl === undefined ? theToken !== undefined : ssl === "true",
    ...(userId !== undefined && { userId }),
    address: `${m[1]}:${port}`,
  };
}
