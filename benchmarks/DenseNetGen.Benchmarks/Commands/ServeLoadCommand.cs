using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using DenseNetGen.Benchmarks.ServeLoad;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Zoo;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// `densenet-bench serve-load`: the model server under N concurrent clients, against the same model's in-process
/// batch throughput measured first in the same run. Starts `densenet serve` on 127.0.0.1 with the model's
/// deterministic weights (written to a temporary .safetensors), sends FP32 tensors as binary data, and reports
/// req/s, p50/p99, the batch sizes the server ran, its resident memory after the warm-up and at the end, and its
/// gen-2 collections, with the issue's three targets checked. Traffic goes to loopback only; clients, requests
/// and time are capped.
/// </summary>
internal static class ServeLoadCommand
{
    private const int MaxClients = 64, MaxRequests = 100_000;
    private static readonly TimeSpan s_maxDuration = TimeSpan.FromMinutes(30);

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Zoo model (deterministic weights)", DefaultValueFactory = _ => "densenet121" };
        var clients = new Option<int>("--clients", "-c") { Description = $"Concurrent clients (at most {MaxClients})", DefaultValueFactory = _ => 8 };
        var requests = new Option<int>("--requests", "-n") { Description = $"Requests in all, warm-up included (at most {MaxRequests})", DefaultValueFactory = _ => 5000 };
        var warmup = new Option<int>("--warmup") { Description = "Requests before the measured phase (resident memory is read after them)", DefaultValueFactory = _ => 500 };
        var duration = new Option<int>("--max-seconds") { Description = $"Stop sending after this long (at most {s_maxDuration.TotalSeconds:0})", DefaultValueFactory = _ => 900 };
        var maxBatch = new Option<int>("--max-batch") { Description = "The server's --max-batch, and the in-process batch compared against", DefaultValueFactory = _ => 8 };
        var maxDelay = new Option<double>("--max-delay-ms") { Description = "The server's --max-delay-ms", DefaultValueFactory = _ => 5 };
        var server = new Option<FileInfo?>("--server") { Description = "densenet.dll to run (default: cli/bin/Release/net10.0/densenet.dll in the repository; build it with `dotnet build cli -c Release`)" };
        var command = new Command("serve-load", "Load-test `densenet serve` on loopback against in-process batch throughput")
        {
            model, clients, requests, warmup, duration, maxBatch, maxDelay, server,
        };
        command.SetAction(parsed => Run(
            DenseNets.Find(parsed.GetValue(model)!),
            Within(parsed.GetValue(clients), 1, MaxClients, "--clients"),
            Within(parsed.GetValue(requests), 1, MaxRequests, "--requests"),
            Within(parsed.GetValue(warmup), 0, parsed.GetValue(requests) - 1, "--warmup"),
            TimeSpan.FromSeconds(Within(parsed.GetValue(duration), 1, (int)s_maxDuration.TotalSeconds, "--max-seconds")),
            Within(parsed.GetValue(maxBatch), 1, 64, "--max-batch"),
            parsed.GetValue(maxDelay),
            DenseNetDll(parsed.GetValue(server))).GetAwaiter().GetResult());
        return command;
    }

    private static async Task<int> Run(ZooModel zoo, int clients, int requests, int warmup, TimeSpan limit, int batch, double delayMs, string densenetDll)
    {
        var plan = zoo.Definition;
        int size = zoo.Card.Preprocess.CropSize;
        Console.WriteLine($"serve-load: {zoo.Name} {plan.InChannels}x{size}x{size} FP32, {clients} clients, {requests} requests ({warmup} warm-up); " +
                          $"{Environment.ProcessorCount} cores; load average {BenchOptions.LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        double inProcess = InProcessImagesPerSecond(zoo, weights, batch, size);
        Console.WriteLine($"in-process: batch {batch}, {inProcess:0.0} images/s (median of 5 passes)");

        var checkpoint = Path.Combine(Path.GetTempPath(), $"serve-load-{Environment.ProcessId}-{zoo.Name}.safetensors");
        SafetensorsWriter.Write(checkpoint, weights, plan, zoo.Card);
        try
        {
            using var target = new ServerUnderLoad(densenetDll, ["--model", zoo.Name, "--weights", checkpoint, "--max-batch", Invariant(batch), "--max-delay-ms", Invariant(delayMs), "--max-queue", Invariant(Math.Max(64, 2 * clients))]);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = target.Address, Timeout = TimeSpan.FromMinutes(2) };
            var body = RequestBody(plan.InChannels, size, out int jsonLength);
            HttpRequestMessage Request()
            {
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Headers.Add("Inference-Header-Content-Length", Invariant(jsonLength));
                return new HttpRequestMessage(HttpMethod.Post, $"v2/models/{zoo.Name}/infer") { Content = content };
            }

            long? warmResident = null;
            double warmGen2 = 0;
            var warmAt = TimeSpan.Zero;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = await LoadClients.RunAsync(http, Request, clients, requests, limit, completed =>
            {
                if (completed != warmup) return;
                warmAt = clock.Elapsed;
                warmResident = target.ResidentBytes();
                warmGen2 = ServerUnderLoad.MetricsAsync(http).GetAwaiter().GetResult().GetValueOrDefault("dotnet_collection_count_total{generation=\"2\"}");
            });
            var endResident = target.ResidentBytes();
            var metrics = await ServerUnderLoad.MetricsAsync(http);
            Report(zoo.Name, result, warmup, warmAt, warmResident, endResident, warmGen2, metrics, inProcess);
            Console.WriteLine($"load average after: {BenchOptions.LoadAverage()}");
            return result.Failures == 0 ? 0 : 1;
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }

    private static void Report(string model, LoadClients.Result result, int warmup, TimeSpan warmAt, long? warmResident, long? endResident, double warmGen2, Dictionary<string, double> metrics, double inProcess)
    {
        var measured = result.LatenciesMs[Math.Min(warmup, result.LatenciesMs.Length)..].Order().ToArray();
        if (measured.Length == 0)
        {
            Console.WriteLine($"only {result.LatenciesMs.Length} requests completed within the time limit: nothing measured after the warm-up.");
            return;
        }
        double seconds = (result.Elapsed - warmAt).TotalSeconds;
        double throughput = measured.Length / seconds, p50 = Percentile(measured, 0.50), p99 = Percentile(measured, 0.99);
        string label = $"{{model=\"{model}\"}}";
        double batches = metrics.GetValueOrDefault($"densenet_batch_size_count{label}"), images = metrics.GetValueOrDefault($"densenet_batch_size_sum{label}");
        Console.WriteLine($"measured: {measured.Length} requests in {seconds:0.0} s, {result.Failures} failed");
        Console.WriteLine($"throughput: {throughput:0.0} req/s = {throughput / inProcess:0.00}x in-process batch throughput (target >= 0.70x)");
        Console.WriteLine($"latency: p50 {p50:0} ms, p99 {p99:0} ms, p99/p50 {p99 / p50:0.00} (target <= 3.00), max {measured[^1]:0} ms");
        Console.WriteLine($"batches: {batches:0} passes, mean {images / Math.Max(1, batches):0.00} images; {BatchSizes(metrics, label)}");
        Console.WriteLine($"resident memory: {Mib(warmResident)} after {warmup} requests, {Mib(endResident)} after {result.LatenciesMs.Length}" +
                          (warmResident is { } w && endResident is { } e ? $" ({100.0 * (e - w) / w:+0.0;-0.0}%, target within 10%)" : ""));
        Console.WriteLine($"server gen-2 collections: {metrics.GetValueOrDefault("dotnet_collection_count_total{generation=\"2\"}") - warmGen2:0} during the measured phase");
    }

    /// <summary>How many passes fell in each bucket of the server's batch-size histogram (cumulative counts differenced).</summary>
    private static string BatchSizes(Dictionary<string, double> metrics, string label)
    {
        var buckets = metrics.Where(m => m.Key.StartsWith("densenet_batch_size_bucket{", StringComparison.Ordinal) && m.Key.Contains(label[1..^1], StringComparison.Ordinal))
            .Select(m => (Le: m.Key[(m.Key.IndexOf("le=\"", StringComparison.Ordinal) + 4)..].TrimEnd('}', '"'), Count: m.Value))
            .Where(b => b.Le != "+Inf")
            .OrderBy(b => double.Parse(b.Le, CultureInfo.InvariantCulture)).ToList();
        var parts = new List<string>();
        double previous = 0;
        foreach (var (le, count) in buckets)
        {
            if (count > previous) parts.Add($"<= {le}: {count - previous:0}");
            previous = count;
        }
        return string.Join(", ", parts);
    }

    private static double InProcessImagesPerSecond(ZooModel zoo, BoundCheckpoint weights, int batch, int size)
    {
        using var device = ComputeDevice.Open(DeviceKindParser.FromEnvironment());
        using var model = zoo.Create(weights, device);
        var input = DeterministicWeights.Input(batch, zoo.Definition.InChannels, size, size);
        var times = QuickCommand.Time(1, 5, () => model.Forward(input, batch, size, size));
        return batch * 1000 / QuickCommand.Median(times);
    }

    /// <summary>One image of deterministic input as the binary tensor data extension lays it out, logits asked back as binary.</summary>
    private static byte[] RequestBody(int channels, int size, out int jsonLength)
    {
        var json = Encoding.UTF8.GetBytes(
            $$$"""{"inputs":[{"name":"input","shape":[1,{{{channels}}},{{{size}}},{{{size}}}],"datatype":"FP32","parameters":{"binary_data_size":{{{channels * size * size * 4}}}}}],"outputs":[{"name":"logits","parameters":{"binary_data":true}}]}""");
        var pixels = DeterministicWeights.Input(1, channels, size, size);
        jsonLength = json.Length;
        return [.. json, .. System.Runtime.InteropServices.MemoryMarshal.AsBytes(pixels.AsSpan())];
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string Mib(long? bytes) => bytes is { } b ? $"{b / 1048576.0:0.0} MiB" : "n/a";

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Within(int value, int min, int max, string option) =>
        value >= min && value <= max ? value : throw new ArgumentException($"{option} must be between {min} and {max}, got {value}.");

    private static string DenseNetDll(FileInfo? given)
    {
        var path = given?.FullName ?? Path.Combine(RepositoryFiles.Root() ?? Environment.CurrentDirectory, "cli", "bin", "Release", "net10.0", "densenet.dll");
        return File.Exists(path) ? path : throw new ArgumentException($"densenet.dll not found at {path}: build the CLI (dotnet build cli -c Release) or pass --server.");
    }
}
