export interface SummaryInput {
  file: string;
  report: { numPassedTests: number; numFailedTests: number; numTotalTests: number; success: boolean; numPendingTests?: number; numTodoTests?: number; testResults?: { assertionResults?: { fullName?: string; title?: string; status: string }[] }[] } | null;
  error?: string;
}
export const ALLOWED_NOT_RUN: Record<string, string>;
export function summarise(reports: SummaryInput[], allowed?: Record<string, string>): { passed: number; failed: number; skipped: number; lines: string[] };
