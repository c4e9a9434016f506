using System.Net;
using System.Text.Json.Nodes;

namespace DenseNetGen.Serving.Tests;

/// <summary>
/// Model versions as the Open Inference Protocol lays them out: GET /v2/models/{name}/versions/{version},
/// …/versions/{version}/ready and POST …/versions/{version}/infer reach the served version, the metadata lists it
/// under "versions" and responses carry it as "model_version"; a version not served is a 404 naming the one that is.
/// The shared server serves the default version, 1; another serves the version `--model NAME:VERSION` names.
/// </summary>
public sealed class VersionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task The_versioned_ready_path_answers_200_with_an_empty_body()
    {
        var response = await Client.GetAsync("v2/models/fashion-mnist/versions/1/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Metadata_lists_the_version_and_the_versioned_path_gives_the_same()
    {
        var unversioned = await Client.GetStringAsync("v2/models/fashion-mnist");
        var versioned = await Client.GetStringAsync("v2/models/fashion-mnist/versions/1");

        Assert.Equal(["1"], JsonNode.Parse(unversioned)!["versions"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(unversioned, versioned);
    }

    [Theory]
    [InlineData("v2/models/fashion-mnist/infer")]
    [InlineData("v2/models/fashion-mnist/versions/1/infer")]
    public async Task Infer_on_either_path_returns_Forward_s_logits_and_the_version(string path)
    {
        var batch = fixture.Reference.Preprocessor.Load([ServerFixture.Sample("bag.png")]);
        var expected = fixture.Reference.Model.Forward(batch.Data, 1, 28, 28);

        var response = await Client.PostAsync(path, Protocol.Json(Protocol.Fp32Request(batch.Data, [1, 1, 28, 28])));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (json, _) = await Protocol.ReadAsync(response);
        Assert.Equal("fashion-mnist", (string)json["model_name"]!);
        Assert.Equal("1", (string)json["model_version"]!);
        Assert.Equal(expected, Protocol.Floats(Protocol.Output(json, "logits")));
    }

    [Theory]
    [InlineData("GET", "v2/models/fashion-mnist/versions/2")]
    [InlineData("GET", "v2/models/fashion-mnist/versions/2/ready")]
    [InlineData("POST", "v2/models/fashion-mnist/versions/2/infer")]
    public async Task A_version_not_served_is_404_naming_it_and_the_served_one(string method, string path)
    {
        var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? Protocol.Json(new JsonObject()) : null });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Model 'fashion-mnist' has no version '2' here; served: version 1.", await Protocol.ErrorAsync(response));
    }

    [Fact]
    public async Task An_unknown_model_on_a_versioned_path_is_404_naming_the_served_ones()
    {
        var response = await Client.GetAsync("v2/models/nope/versions/1");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("No model named 'nope' is served here; served: fashion-mnist.", await Protocol.ErrorAsync(response));
    }

    [Fact]
    public async Task The_command_line_names_the_version_served()
    {
        using var server = new ServerProcess("--model", "fashion-mnist:2024-06");
        var batch = fixture.Reference.Preprocessor.Load([ServerFixture.Sample("dress.png")]);

        var metadata = JsonNode.Parse(await server.Client.GetStringAsync("v2/models/fashion-mnist/versions/2024-06"))!;
        var infer = await server.Client.PostAsync("v2/models/fashion-mnist/versions/2024-06/infer", Protocol.Json(Protocol.Fp32Request(batch.Data, [1, 1, 28, 28])));
        var first = await server.Client.GetAsync("v2/models/fashion-mnist/versions/1");

        Assert.Equal(["2024-06"], metadata["versions"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
        Assert.Equal("2024-06", (string)(await Protocol.ReadAsync(infer)).Json["model_version"]!);
        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        Assert.Contains("version 2024-06", await Protocol.ErrorAsync(first));
        Assert.Contains("model fashion-mnist version 2024-06: 1 replica(s)", server.Output);
    }
}
