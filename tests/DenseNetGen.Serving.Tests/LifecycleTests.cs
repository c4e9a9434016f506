using System.Net;
using System.Text.Json.Nodes;

namespace DenseNetGen.Serving.Tests;

/// <summary>
/// `densenet serve` under pressure and at its end: a full queue (503 with Retry-After), timeouts (504), clients
/// that go away, and SIGTERM finishing the requests already in. Each test starts its own server with the limits it needs.
/// </summary>
public sealed class LifecycleTests
{
    private const string Infer = "v2/models/fashion-mnist/infer";

    /// <summary>N images of the Fashion-MNIST net's input as binary data (fast to send, slow enough to run).</summary>
    private static HttpContent Images(int n)
    {
        var request = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input", ["shape"] = new JsonArray(n, 1, 28, 28), ["datatype"] = "FP32",
                ["parameters"] = new JsonObject { ["binary_data_size"] = n * 784 * 4 },
            }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "logits" }),
        };
        return Protocol.Binary(request, Protocol.LittleEndian([.. Enumerable.Range(0, n * 784).Select(i => MathF.Sin(i))]));
    }

    private static async Task<double> MetricAsync(HttpClient client, string series)
    {
        var line = (await client.GetStringAsync("metrics")).Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_Retry_After_and_the_others_succeed()
    {
        using var server = new ServerProcess("--max-queue", "1", "--max-batch", "1", "--max-delay-ms", "0");

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => server.Client.PostAsync(Infer, Images(64))));

        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.OK) >= 2);
        foreach (var response in refused)
        {
            Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
            Assert.Contains("busy", await Protocol.ErrorAsync(response));
        }
        Assert.Equal(refused.Count, await MetricAsync(server.Client, "densenet_requests_total{model=\"fashion-mnist\",outcome=\"rejected\"}"));
    }

    [Fact]
    public async Task A_request_past_the_timeout_is_504_and_a_client_that_goes_away_is_counted_as_cancelled()
    {
        // Batches wait two seconds for company, so a lone request outlives both the client's patience and the timeout.
        using var server = new ServerProcess("--request-timeout", "0.5", "--max-delay-ms", "2000");

        var timedOut = await server.Client.PostAsync(Infer, Images(1));
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Contains("0.5 s (--request-timeout)", await Protocol.ErrorAsync(timedOut));

        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.Client.PostAsync(Infer, Images(1), impatient.Token));

        double cancelled = 0;
        for (int i = 0; i < 100 && cancelled < 2; i++, await Task.Delay(50))
            cancelled = await MetricAsync(server.Client, "densenet_requests_total{model=\"fashion-mnist\",outcome=\"cancelled\"}");
        Assert.Equal(2, cancelled);
    }

    [Fact]
    public async Task SIGTERM_finishes_the_requests_already_in_then_exits_0()
    {
        using var server = new ServerProcess("--max-delay-ms", "1500");
        var inFlight = server.Client.PostAsync(Infer, Images(2));
        await Task.Delay(400);

        server.Terminate();

        var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (json, _) = await Protocol.ReadAsync(response);
        Assert.Equal(20, Protocol.Floats(Protocol.Output(json, "logits")).Length);
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains("stopped", server.Output);
    }
}
