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
/// with the binary tensor data and classification extensions. Model versions are not served: a path with
/// /versions/ is not found.
/// </summary>
public static class OpenInferenceEndpoints
{
    /// <summary>
    /// Maps GET /v2, /v2/health/live, /v2/health/ready, /v2/models/{name}, /v2/models/{name}/ready and
    /// POST /v2/models/{name}/infer. Errors are the protocol's <c>{ "error": "…" }</c> with a 4xx/5xx status.
    /// </summary>
    public static IEndpointRouteBuilder MapOpenInferenceProtocol(this IEndpointRouteBuilder endpoints, IReadOnlyList<ServedModel> models, OpenInferenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(models);
        options ??= new OpenInferenceOptions();
        var byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var model in models) ServingMetrics.Watch(model);
        var lifetime = endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>();

        endpoints.MapGet("/v2", (HttpContext c) => WriteJsonAsync(c.Response, StatusCodes.Status200OK, ModelMetadata.WriteServer));
        // Health answers by status alone (200 true, 4xx false) with an empty body, as the protocol says.
        endpoints.MapGet("/v2/health/live", () => Results.Ok());
        endpoints.MapGet("/v2/health/ready", () =>
            lifetime.ApplicationStopping.IsCancellationRequested ? Results.BadRequest() : Results.Ok());
        endpoints.MapGet("/v2/models/{name}/ready", (HttpContext c, string name) =>
            byName.ContainsKey(name) && !lifetime.ApplicationStopping.IsCancellationRequested
                ? Task.CompletedTask
                : WriteErrorAsync(c.Response, byName.ContainsKey(name) ? StatusCodes.Status400BadRequest : StatusCodes.Status404NotFound,
                    byName.ContainsKey(name) ? $"Model '{name}' is shutting down." : UnknownModel(name, byName)));
        endpoints.MapGet("/v2/models/{name}", (HttpContext c, string name) => byName.TryGetValue(name, out var model)
            ? WriteJsonAsync(c.Response, StatusCodes.Status200OK, w => ModelMetadata.WriteModel(w, model))
            : WriteErrorAsync(c.Response, StatusCodes.Status404NotFound, UnknownModel(name, byName)));
        endpoints.MapPost("/v2/models/{name}/infer", (HttpContext c, string name) => InferAsync(c, name, byName, options));
        return endpoints;
    }

    private static async Task InferAsync(HttpContext context, string name, Dictionary<string, ServedModel> models, OpenInferenceOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        var cancellation = context.RequestAborted;
        bool cancelled = false;
        try
        {
            if (!models.TryGetValue(name, out var model))
                throw new InferenceError(UnknownModel(name, models), StatusCodes.Status404NotFound);
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

    private static string UnknownModel(string name, Dictionary<string, ServedModel> models) =>
        $"No model named '{name}' is served here; served: {string.Join(", ", models.Keys)}.";

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
