/**
 * The figures of `npm run reliability`: one row per scenario, a table to print, and the rule that
 * decides the exit status — a figure promised to be zero that is not zero fails the run.
 */

/** One measured figure. */
export interface Figure {
  /** Section: "swift faults", "crashes", … */
  section: string;
  /** What was counted, e.g. "acknowledged puts lost". */
  scenario: string;
  value: number;
  /** "zero": the project promises 0; "info": reported as measured. */
  promise: "zero" | "info";
  /** How it was measured (sizes, seed, times). */
  detail?: string;
}

/** Figures whose promise is broken. */
export function brokenPromises(figures: readonly Figure[]): Figure[] {
  return figures.filter((f) => f.promise === "zero" && f.value !== 0);
}

/** The table as printed (and quoted in the README): date line, then one row per figure. */
export function formatTable(figures: readonly Figure[], title: string): string {
  const rows = figures.map((f) => [f.section, f.scenario, formatValue(f.value), f.promise === "zero" ? (f.value === 0 ? "0 ✓" : "0 ✗") : "—", f.detail ?? ""]);
  const head = ["section", "scenario", "figure", "promised", "how"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const broken = brokenPromises(figures).length;
  return [
    title,
    "",
    line(head),
    `|${widths.map((w, i) => (i === 2 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`,
    ...rows.map(line),
    "",
    broken === 0 ? "every promised zero is zero" : `${broken} promised zero(s) not zero`,
  ].join("\n");
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
