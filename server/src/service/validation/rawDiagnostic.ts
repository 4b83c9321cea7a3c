import type { DiagnosticCode, SeverityName } from '../codes';

/** A diagnostic with offsets into its document's text; turned into an LSP diagnostic at the edge. */
export interface RawDiagnostic {
  code: DiagnosticCode;
  severity: SeverityName;
  message: string;
  start: number;
  end: number;
  /** Data a quick fix needs (e.g. the suggested key). */
  data?: Record<string, unknown>;
}
