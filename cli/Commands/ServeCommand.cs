using System.CommandLine;
using System.CommandLine.Parsing;
using DenseNetGen.AspNetCore.OpenInference;
using DenseNetGen.Backends;
using DenseNetGen.Execution;
using DenseNetGen.Serving;
using DenseNetGen.Zoo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace DenseNetGen.Cli.Commands;

/// <summary>
/// `densenet serve [--model NAME[:VERSION] [--weights FILE]]... [--urls URL]`: a model server on Kestrel speaking the Open
/// Inference Protocol (KServe v2), with Prometheus metrics at /metrics. Binds to loopback unless --urls says
/// otherwise; SIGTERM or Ctrl+C stops taking requests and finishes the ones already in.
/// </summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public static Command Create(TextWriter stdout)
    {
        var shared = new ModelOptions();
        var models = new Option<string[]>("--model", "-m")
        {
            Description = $"A model to serve, under the name `densenet info` lists, as NAME or NAME:VERSION (version default {ServedModel.DefaultVersion}; repeatable; default: the embedded {DenseNets.DefaultName} net)",
        };
        var weights = new Option<FileInfo[]>("--weights", "-w") { Description = "The checkpoint of the --model before it" };
        var urls = new Option<string>("--urls") { Description = $"Where to listen, ASP.NET Core's way (default {DefaultUrls}; loopback only unless you name another address)", DefaultValueFactory = _ => DefaultUrls };
        var replicas = new Option<int>("--replicas") { Description = "Replicas of each model, each on its own device and threads (default 1)", DefaultValueFactory = _ => 1 };
        var maxBatch = new Option<int>("--max-batch") { Description = "Images one pass batches from concurrent requests (default 8)", DefaultValueFactory = _ => 8 };
        var maxDelay = new Option<double>("--max-delay-ms") { Description = "How long a pass waits to fill its batch (default 5 ms)", DefaultValueFactory = _ => 5 };
        var maxQueue = new Option<int>("--max-queue") { Description = "Requests waiting per model before the server answers 503 (default 64)", DefaultValueFactory = _ => 64 };
        var maxBytes = new Option<long>("--max-request-bytes") { Description = "Largest request body; 413 past it (default 64 MiB)", DefaultValueFactory = _ => 64L << 20 };
        var timeout = new Option<double>("--request-timeout") { Description = "Seconds a request may take before a 504 (default 30)", DefaultValueFactory = _ => 30 };
        var command = new Command("serve", "Serve models over HTTP: the Open Inference Protocol (KServe v2), Prometheus metrics at /metrics")
        {
            models, weights, urls, replicas, maxBatch, maxDelay, maxQueue, maxBytes, timeout,
            shared.Ema, shared.Device, shared.Threads, shared.Precision, shared.MaxImagePixels,
        };
        command.SetAction(parsed =>
        {
            var pool = new PoolOptions
            {
                Replicas = Positive(parsed.GetValue(replicas), "--replicas", 64),
                Device = parsed.GetValue(shared.Device) is { } device ? Usage(() => DeviceKindParser.Parse(device, "--device")) : Usage(DeviceKindParser.FromEnvironment),
                ThreadsPerReplica = parsed.GetValue(shared.Threads) is { } threads ? Positive(threads, "--threads", 1024) : 0,
                Compute = new ComputeOptions(Precision: parsed.GetValue(shared.Precision) is { } p ? Usage(() => ComputeOptions.ParsePrecision(p, "--precision")) : Precision.Fp32),
                Batching = new BatchingOptions
                {
                    MaxBatchSize = Positive(parsed.GetValue(maxBatch), "--max-batch", 1024),
                    MaxDelay = TimeSpan.FromMilliseconds(InRange(parsed.GetValue(maxDelay), "--max-delay-ms", 0, 10_000)),
                    QueueCapacity = Positive(parsed.GetValue(maxQueue), "--max-queue", 1_000_000),
                },
            };
            var limits = new OpenInferenceOptions { MaxRequestBytes = (long)InRange(parsed.GetValue(maxBytes), "--max-request-bytes", 1024, 1L << 31) };
            var requestTimeout = TimeSpan.FromSeconds(InRange(parsed.GetValue(timeout), "--request-timeout", 0.001, 3600));
            shared.ApplyImageCap(parsed);
            var wanted = Pairs(parsed, models, weights);
            var served = new List<ServedModel>();
            try
            {
                foreach (var (zoo, version, file) in wanted)
                {
                    var bound = zoo.BindWeights(file?.FullName, shared.CheckpointOptions(parsed));
                    served.Add(new ServedModel(zoo.Name, version, DenseNetPool.Create(bound, zoo.Create, pool)));
                }
                Serve(stdout, parsed.GetValue(urls)!, served, limits, requestTimeout);
            }
            finally
            {
                // After the server has stopped: each pool finishes what is still queued, then releases its devices.
                foreach (var model in served) model.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return CliApp.Ok;
        });
        return command;
    }

    private static void Serve(TextWriter stdout, string urls, IReadOnlyList<ServedModel> models, OpenInferenceOptions limits, TimeSpan requestTimeout)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = limits.MaxRequestBytes;
        });
        builder.Services.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = requestTimeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            WriteTimeoutResponse = c => OpenInferenceEndpoints.WriteErrorAsync(c.Response, StatusCodes.Status504GatewayTimeout,
                $"The request took longer than {requestTimeout.TotalSeconds:0.###} s (--request-timeout)."),
        });
        // Kestrel stops taking connections at once and gives requests already in this long to finish.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = requestTimeout + TimeSpan.FromSeconds(5));
        using var app = builder.Build();
        app.UseRequestTimeouts();
        app.MapOpenInferenceProtocol(models, limits);
        app.MapMetrics("/metrics");
        app.MapFallback(c => OpenInferenceEndpoints.WriteErrorAsync(c.Response, StatusCodes.Status404NotFound,
            $"No endpoint {c.Request.Method} {c.Request.Path}; this server speaks the Open Inference Protocol under /v2 (and /metrics)."));
        app.Start();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var model in models)
            stdout.WriteLine($"model {model.Name} version {model.Version}: {model.Pool.Replicas.Count} replica(s) on {model.Pool.Replicas[0].Device.Description}");
        stdout.WriteLine($"listening on {string.Join(" ", addresses)} (Ctrl+C or SIGTERM stops; requests already in finish)");
        stdout.Flush();
        app.WaitForShutdown();
        stdout.WriteLine("stopped");
    }

    /// <summary>
    /// Each --model with the --weights that follows it (before the next --model); a --weights before any --model
    /// belongs to the embedded default. No --model serves the embedded net. A --model NAME:VERSION serves the model
    /// under that version, else under <see cref="ServedModel.DefaultVersion"/>.
    /// </summary>
    private static List<(ZooModel Model, string Version, FileInfo? Weights)> Pairs(ParseResult parsed, Option<string[]> models, Option<FileInfo[]> weights)
    {
        var names = new List<string>();
        var files = new List<FileInfo?>();
        Option? current = null;
        foreach (var token in parsed.Tokens)
        {
            if (token.Type == TokenType.Option) current = parsed.CommandResult.Command.Options.FirstOrDefault(o => o.Name == token.Value || o.Aliases.Contains(token.Value));
            if (token.Type != TokenType.Argument) continue;
            if (current == models)
            {
                names.Add(token.Value);
                files.Add(null);
            }
            else if (current == weights)
            {
                if (names.Count == 0)
                {
                    names.Add(DenseNets.DefaultName);
                    files.Add(null);
                }
                if (files[^1] is not null) throw new UsageException($"--model {names[^1]} has two --weights; give each --model one.");
                files[^1] = new FileInfo(token.Value);
            }
        }
        if (names.Count == 0) names.Add(DenseNets.DefaultName);
        if (files.Count < names.Count) files.Add(null);
        var pairs = new List<(ZooModel, string, FileInfo?)>();
        for (int i = 0; i < names.Count; i++)
        {
            var (name, version) = NameAndVersion(names[i]);
            var model = ModelOptions.Find(name);
            if (pairs.Any(p => p.Item1 == model)) throw new UsageException($"{model.Name} is named twice; each model is served once, in one version, under its name.");
            if (files[i] is null && model.EmbeddedWeights is null)
                throw new UsageException($"{model.Name} ships without weights: follow --model {names[i]} with --weights FILE.");
            if (files[i] is { Exists: false } missing) throw new FileNotFoundException($"Checkpoint not found: {missing.FullName}");
            pairs.Add((model, version, files[i]));
        }
        return pairs;
    }

    // Zoo names hold no ':', so the last one, if any, starts the version.
    private static (string Name, string Version) NameAndVersion(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon < 0) return (text, ServedModel.DefaultVersion);
        var version = text[(colon + 1)..];
        return ServedModel.IsValidVersion(version) ? (text[..colon], version)
            : throw new UsageException($"--model {text}: {ServedModel.VersionRule}.");
    }

    private static int Positive(int value, string option, int max) =>
        value >= 1 && value <= max ? value : throw new UsageException($"{option} must be between 1 and {max}, got {value}.");

    private static double InRange(double value, string option, double min, double max) =>
        value >= min && value <= max ? value : throw new UsageException($"{option} must be between {min} and {max}, got {value}.");

    private static T Usage<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
