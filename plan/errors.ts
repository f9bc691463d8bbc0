/** Where in the user's source a plan node or expression came from. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly lineText?: string;
}

/**
 * The one error type users see. `code` is stable (`TSDF1003`), `message` says what to do,
 * `location` points into the user's pipeline or data file where there is one.
 */
export class TsdfError extends Error {
  override readonly name = "TsdfError";
  constructor(
    readonly code: string,
    message: string,
    readonly location?: SourceLocation,
    readonly notes: readonly string[] = [],
  ) {
    super(message);
  }

  /** `file:line:column: error TSDF1003: message`, then the source line and notes. */
  format(): string {
    const where = this.location ? `${this.location.file}:${this.location.line}:${this.location.column}: ` : "";
    const lines = [`${where}error ${this.code}: ${this.message}`];
    if (this.location?.lineText !== undefined) {
      lines.push(`  ${this.location.lineText}`, `  ${" ".repeat(Math.max(0, this.location.column - 1))}^`);
    }
    for (const n of this.notes) lines.push(`  note: ${n}`);
    return lines.join("\n");
  }
}

export function isTsdfError(e: unknown): e is TsdfError {
  return e instanceof Error && (e as { name?: string }).name === "TsdfError" && "code" in e;
}
