using System.Globalization;
using ScottPlot;

namespace Junction.Cli.Results;

/// <summary>
/// The demo's chart: for each measure, how many times better Junction did than Linux (requests/s: Junction ÷ Linux;
/// latency and CPU: Linux ÷ Junction), so every bar above the line at 1 means Junction won; each bar is labelled
/// with both measured values.
/// </summary>
internal static class Chart
{
    public static void Save(ScenarioResult result, string environment, string pngPath, string svgPath)
    {
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        int position = 0;
        Add("requests/s", result.Junction.Rps, result.Linux.Rps, higherIsBetter: true, "N0");
        Add("p50 latency (µs)", result.Junction.P50Us, result.Linux.P50Us, higherIsBetter: false, "N0");
        Add("p99 latency (µs)", result.Junction.P99Us, result.Linux.P99Us, higherIsBetter: false, "N0");
        Add("server CPU s / 100k req", result.Junction.ServerCpuSPer100k, result.Linux.ServerCpuSPer100k, higherIsBetter: false, "N3");

        var plot = new Plot();
        ScottPlot.Plottables.BarPlot barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 14;
        plot.Add.HorizontalLine(1, 2, Colors.Black, LinePattern.Dashed);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Axes.Margins(bottom: 0, top: 0.25);
        plot.Title($"Junction vs Linux, {result.Name} ({environment})", size: 18);
        plot.YLabel("times better than Linux (1 = same)", size: 15);
        plot.SavePng(pngPath, 1100, 650);
        plot.SaveSvg(svgPath, 1100, 650);

        void Add(string label, double? junction, double? linux, bool higherIsBetter, string format)
        {
            if (junction is not { } j || linux is not { } l || j <= 0 || l <= 0) return;
            double advantage = higherIsBetter ? j / l : l / j;
            bars.Add(new Bar
            {
                Position = position,
                Value = advantage,
                FillColor = advantage >= 1 ? Colors.SeaGreen : Colors.IndianRed,
                Label = string.Create(CultureInfo.InvariantCulture, $"{advantage:F2}×  (J {j.ToString(format, CultureInfo.InvariantCulture)} / L {l.ToString(format, CultureInfo.InvariantCulture)})"),
            });
            ticks.Add(new Tick(position, label));
            position++;
        }
    }
}
