using System.Globalization;
using System.Net;
using System.Text;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>`compare`'s outputs: a markdown table and an SVG bar chart of each runner's latency relative to ONNX Runtime.</summary>
internal static class CompareReport
{
    public sealed record Header(string Started, string LoadBefore, string LoadAfter, int LogicalCores, int Threads, int Runs, int Warmup,
        IReadOnlyList<string> Devices, IReadOnlyList<string> Notes);

    private static readonly string[] Palette = ["#1b6ca8", "#e07b39", "#3c9d4e", "#b83b5e", "#7a5195", "#8c8c8c", "#c9a227"];

    public static string Markdown(IReadOnlyList<CompareRow> rows, Header h)
    {
        var md = new StringBuilder();
        md.AppendLine("# densenet-bench compare").AppendLine();
        md.AppendLine(Invariant($"{h.Started}; {h.LogicalCores} logical cores; {h.Threads} threads for every runner; per block: {h.Warmup} warm-up, a pause, 1 untimed and {h.Runs} timed runs; load average {h.LoadBefore} before, {h.LoadAfter} after."));
        md.AppendLine();
        foreach (var device in h.Devices) md.AppendLine($"- {device}");
        foreach (var note in h.Notes) md.AppendLine($"- {note}");
        md.AppendLine();
        md.AppendLine("Latency ratio = median / ONNX Runtime's median in the same run (below 1 is faster). Peak RSS = the process's peak resident memory above the runner's loaded model " +
            "during its block (PyTorch: its own process). Activations = the plan's activation arena, where the backend reports it.");
        md.AppendLine();
        md.AppendLine("| model | batch | runner | median ms | min ms | images/s | × ONNX Runtime | peak RSS above model | activations |");
        md.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            string ratio = Ratio(rows, row) is { } r ? Invariant($"{r:0.00}") : "";
            md.AppendLine(Invariant($"| {row.Model} | {row.Batch} | {row.Runner} | {row.Median:0.00} | {row.Min:0.00} | {row.ImagesPerSecond:0.0} | {ratio} | {Megabytes(row.PeakBytes)} | {Megabytes(row.ActivationBytes)} |"));
        }
        return md.ToString();
    }

    /// <summary>Horizontal bars on a log axis, one group per (model, batch), one bar per runner; the 1× line is ONNX Runtime.</summary>
    public static string Svg(IReadOnlyList<CompareRow> rows, Header h)
    {
        var charted = rows.Where(r => Ratio(rows, r) is not null).ToList();
        var runners = charted.Select(r => r.Runner).Distinct().ToList();
        var groups = charted.GroupBy(r => (r.Model, r.Batch)).ToList();
        const int left = 190, plotWidth = 560, bar = 13, gap = 12, top = 70;
        double[] ratios = [.. charted.Select(r => Ratio(rows, r)!.Value), 1];
        double lo = Math.Pow(2, Math.Floor(Math.Log2(Math.Min(0.5, ratios.Min())))), hi = Math.Pow(2, Math.Ceiling(Math.Log2(Math.Max(2, ratios.Max()))));
        double X(double ratio) => left + plotWidth * (Math.Log2(ratio) - Math.Log2(lo)) / (Math.Log2(hi) - Math.Log2(lo));
        int height = top + groups.Sum(g => g.Count() * bar + gap) + 40;

        var svg = new StringBuilder();
        svg.AppendLine(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{left + plotWidth + 90}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">"));
        svg.AppendLine("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.AppendLine(Invariant($"<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">Latency relative to ONNX Runtime (log scale, lower is faster), {h.Threads} threads, {Escape(h.Started)}</text>"));
        for (int i = 0; i < runners.Count; i++)
        {
            int x = 10 + i * 190;
            svg.AppendLine(Invariant($"<rect x=\"{x}\" y=\"30\" width=\"10\" height=\"10\" fill=\"{Palette[i % Palette.Length]}\"/><text x=\"{x + 14}\" y=\"39\">{Escape(runners[i])}</text>"));
        }
        int y = top;
        foreach (var group in groups)
        {
            svg.AppendLine(Invariant($"<text x=\"{left - 8}\" y=\"{y + group.Count() * bar / 2.0 + 4:0.#}\" text-anchor=\"end\">{Escape(group.Key.Model)} b{group.Key.Batch}</text>"));
            foreach (var row in group)
            {
                double ratio = Ratio(rows, row)!.Value, x0 = X(lo), x1 = X(ratio);
                string color = Palette[runners.IndexOf(row.Runner) % Palette.Length];
                svg.AppendLine(Invariant($"<rect x=\"{x0:0.#}\" y=\"{y + 1}\" width=\"{Math.Max(1, x1 - x0):0.#}\" height=\"{bar - 2}\" fill=\"{color}\"><title>{Escape(row.Runner)}: {row.Median:0.00} ms</title></rect>"));
                svg.AppendLine(Invariant($"<text x=\"{x1 + 4:0.#}\" y=\"{y + bar - 3}\">{ratio:0.00}× ({row.Median:0.0} ms)</text>"));
                y += bar;
            }
            y += gap;
        }
        for (double tick = lo; tick <= hi * 1.001; tick *= 2)
        {
            string stroke = Math.Abs(tick - 1) < 1e-9 ? "stroke=\"black\" stroke-width=\"1.5\"" : "stroke=\"#cccccc\"";
            svg.AppendLine(Invariant($"<line x1=\"{X(tick):0.#}\" y1=\"{top - 6}\" x2=\"{X(tick):0.#}\" y2=\"{y}\" {stroke}/>"));
            svg.AppendLine(Invariant($"<text x=\"{X(tick):0.#}\" y=\"{y + 14}\" text-anchor=\"middle\">{tick:0.###}×</text>"));
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static double? Ratio(IReadOnlyList<CompareRow> rows, CompareRow row) =>
        rows.FirstOrDefault(r => r.Model == row.Model && r.Batch == row.Batch && r.Runner == CompareRow.OnnxRuntime) is { } onnx ? row.Median / onnx.Median : null;

    private static string Megabytes(long? bytes) => bytes is { } b ? Invariant($"{b / 1e6:0.0} MB") : "";

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
