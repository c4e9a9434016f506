using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using DenseNetGen.Serving;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// The Open Inference Protocol's HTTP/REST endpoints (KServe v2, also Triton's HTTP API) for a set of served models,
/// with the binary tensor data and classification extensions. Each model is served in one version
/// (<see cref="ServedModel.Version"/>), reached with or without /versions/{version} in the path.
/// </summary>
public static class OpenInferenceEndpoints
{
    /// <summary>
    /// Maps GET /v2, /v2/health/live, /v2/health/ready, and for each model GET /v2/models/{name}[/versions/{version}],
    /// GET …/ready and POST …/infer. Errors are the protocol's <c>{ "error": "…" }</c> with a 4xx/5xx status; a name
    /// or version not served is a 404 naming what is.
    /// </summary>
    public static IEndpointRouteBuilder MapOpenInferenceProtocol(this IEndpointRouteBuilder endpoints, IReadOnlyList<ServedModel> models, OpenInferenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(models);
        options ??= new OpenInferenceOptions();
        var table = new ServedModelTable(models);
        foreach (var model in models) ServingMetrics.Watch(model);
        var lifetime = endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>();

        endpoints.MapGet("/v2", (HttpContext c) => WriteJsonAsync(c.Response, StatusCodes.Status200OK, ModelMetadata.WriteServer));
        // Health answers by status alone (200 true, 4xx false) with an empty body, as the protocol says.
        endpoints.MapGet("/v2/health/live", () => Results.Ok());
        endpoints.MapGet("/v2/health/ready", () =>
            lifetime.ApplicationStopping.IsCancellationRequested ? Results.BadRequest() : Results.Ok());
        endpoints.MapGet("/v2/models/{name}/ready", (HttpContext c, string name) => ReadyAsync(c, table, name, null, lifetime));
        endpoints.MapGet("/v2/models/{name}/versions/{version}/ready", (HttpContext c, string name, string version) => ReadyAsync(c, table, name, version, lifetime));
        endpoints.MapGet("/v2/models/{name}", (HttpContext c, string name) => MetadataAsync(c, table, name, null));
        endpoints.MapGet("/v2/models/{name}/versions/{version}", (HttpContext c, string name, string version) => MetadataAsync(c, table, name, version));
        endpoints.MapPost("/v2/models/{name}/infer", (HttpContext c, string name) => InferAsync(c, table, name, null, options));
        endpoints.MapPost("/v2/models/{name}/versions/{version}/infer", (HttpContext c, string name, string version) => InferAsync(c, table, name, version, options));
        return endpoints;
    }

    private static Task ReadyAsync(HttpContext context, ServedModelTable table, string name, string? version, IHostApplicationLifetime lifetime) =>
        WithModelAsync(context, table, name, version, _ => lifetime.ApplicationStopping.IsCancellationRequested
            ? WriteErrorAsync(context.Response, StatusCodes.Status400BadRequest, $"Model '{name}' is shutting down.")
            : Task.CompletedTask);

    private static Task MetadataAsync(HttpContext context, ServedModelTable table, string name, string? version) =>
        WithModelAsync(context, table, name, version,
            model => WriteJsonAsync(context.Response, StatusCodes.Status200OK, w => ModelMetadata.WriteModel(w, model)));

    /// <summary>Answers with <paramref name="answer"/> for the model the route names, or with the table's error (404) when it serves none such.</summary>
    private static Task WithModelAsync(HttpContext context, ServedModelTable table, string name, string? version, Func<ServedModel, Task> answer)
    {
        ServedModel model;
        try
        {
            model = table.Find(name, version);
        }
        catch (InferenceError e)
        {
            return WriteErrorAsync(context.Response, e.Status, e.Message);
        }
        return answer(model);
    }

    private static async Task InferAsync(HttpContext context, ServedModelTable table, string name, string? version, OpenInferenceOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        var cancellation = context.RequestAborted;
        bool cancelled = false;
        try
        {
            var model = table.Find(name, version);
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = options.MaxRequestBytes;
            if (context.Request.ContentLength > options.MaxRequestBytes) throw TooLarge(options);
            ParsedRequest request;
            using (var body = await RequestBody.ReadAsync(context.Request, cancellation).ConfigureAwait(false))
                request = InferRequestParser.Parse(body, model, options.MaxImagesPerRequest);
            using (request)
            {
                var logits = await RunAsync(model, request, context.Response, cancellation).ConfigureAwait(false);
                await InferResponseWriter.WriteAsync(context.Response, model, request, logits, cancellation).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The client went away or the request timed out (the timeout middleware answers 504 if it can).
            cancelled = true;
            throw;
        }
        catch (InferenceError e)
        {
            await WriteErrorAsync(context.Response, e.Status, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            var error = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge(options) : new InferenceError($"Bad request: {e.Message}", e.StatusCode);
            await WriteErrorAsync(context.Response, error.Status, error.Message).ConfigureAwait(false);
        }
        finally
        {
            ServingMetrics.Request(name, context.Response.StatusCode, cancelled, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The pass, with the pool's refusals turned into 503s (and Retry-After for a full queue).</summary>
    private static async Task<float[]> RunAsync(ServedModel model, ParsedRequest request, HttpResponse response, CancellationToken cancellation)
    {
        try
        {
            return await model.Pool.ForwardAsync(request.Input, request.Images, model.Size, model.Size, cancellation).ConfigureAwait(false);
        }
        catch (QueueFullException e)
        {
            response.Headers.RetryAfter = "1";
            throw new InferenceError(e.Message, StatusCodes.Status503ServiceUnavailable);
        }
        catch (ObjectDisposedException)
        {
            throw new InferenceError($"Model '{model.Name}' is shutting down.", StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static InferenceError TooLarge(OpenInferenceOptions options) => new(
        $"The request body is larger than this server's limit of {options.MaxRequestBytes:N0} bytes; send fewer images per request " +
        "or binary data instead of JSON, or raise the limit (densenet serve --max-request-bytes).",
        StatusCodes.Status413PayloadTooLarge);

    /// <summary>
    /// Writes the protocol's error object <c>{ "error": message }</c> with <paramref name="status"/>, unless the
    /// response has already started (for a host's own refusals: timeouts, unknown paths).
    /// </summary>
    public static Task WriteErrorAsync(HttpResponse response, int status, string message)
    {
        if (response.HasStarted) return Task.CompletedTask;
        return WriteJsonAsync(response, status, w =>
        {
            w.WriteStartObject();
            w.WriteString("error", message);
            w.WriteEndObject();
        });
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, ModelMetadata.Writing)) write(writer);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
    }
}
