import fs from "node:fs";
import path from "node:path";

/** One bar of the chart: a case as one server answered it. */
export interface ChartPoint {
  case: string;
  server: string;
  rps: number;
  p99: number;
}

/**
 * Draws throughput and p99 latency per case, service beside baseline, as an SVG file (Vega-Lite,
 * rendered headless by Vega: no browser and no native modules).
 */
export async function drawChart(points: ChartPoint[], file: string, title: string): Promise<void> {
  const vega = await import("vega");
  const vegaLite = await import("vega-lite");
  const panel = (field: "rps" | "p99", label: string) => ({
    title: label,
    width: 300,
    height: { step: 14 },
    mark: { type: "bar" as const, tooltip: true },
    encoding: {
      y: { field: "case", type: "nominal" as const, title: null, sort: null, axis: { labelLimit: 320 } },
      yOffset: { field: "server", type: "nominal" as const },
      x: { field, type: "quantitative" as const, title: null },
      color: {
        field: "server",
        type: "nominal" as const,
        title: "server",
        scale: { domain: ["service", "baseline"], range: ["#1f77b4", "#bbbbbb"] },
      },
    },
  });
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values: points },
    hconcat: [panel("rps", "requests/s (higher is better)"), panel("p99", "p99 latency, ms (lower is better)")],
    config: { font: "sans-serif" },
  };
  const compiled = vegaLite.compile(spec as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, svg);
}
