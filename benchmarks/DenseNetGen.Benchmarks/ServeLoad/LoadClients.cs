using System.Diagnostics;

namespace DenseNetGen.Benchmarks.ServeLoad;

/// <summary>
/// N clients, each sending one request after the other, until a request count or a time limit is reached; every
/// request's latency and status are kept. <paramref name="onCompleted"/> sees the running count (for snapshots).
/// </summary>
internal static class LoadClients
{
    public sealed record Result(double[] LatenciesMs, int Failures, TimeSpan Elapsed);

    public static async Task<Result> RunAsync(HttpClient client, Func<HttpRequestMessage> request, int clients, int requests, TimeSpan limit, Action<int>? onCompleted = null)
    {
        var latencies = new double[requests];
        int issued = 0, completed = 0, failures = 0;
        var clock = Stopwatch.StartNew();
        async Task Client()
        {
            while (clock.Elapsed < limit)
            {
                int index = Interlocked.Increment(ref issued) - 1;
                if (index >= requests) return;
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request());
                await response.Content.LoadIntoBufferAsync();
                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                    Console.Error.WriteLine($"  request {index}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                onCompleted?.Invoke(Interlocked.Increment(ref completed));
            }
        }
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client)));
        return new Result(latencies[..Math.Min(completed, requests)], failures, clock.Elapsed);
    }
}
