using System.Net;
using System.Text.Json.Nodes;

namespace DenseNetGen.Serving.Tests;

/// <summary>
/// `densenet serve` against the Open Inference Protocol's REST text (health, metadata, infer, errors) and the
/// binary tensor data and classification extensions, with logits checked against the in-process Forward.
/// </summary>
public sealed class EndpointTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Client => fixture.Server.Client;

    private const string Infer = "v2/models/fashion-mnist/infer";

    [Theory]
    [InlineData("v2/health/live")]
    [InlineData("v2/health/ready")]
    [InlineData("v2/models/fashion-mnist/ready")]
    public async Task Health_answers_200_with_an_empty_body(string path)
    {
        var response = await Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Server_metadata_names_the_server_and_its_extensions()
    {
        var json = JsonNode.Parse(await Client.GetStringAsync("v2"))!;
        Assert.Equal("densenet", (string)json["name"]!);
        Assert.False(string.IsNullOrEmpty((string)json["version"]!));
        Assert.Equal(["binary_tensor_data", "classification"], json["extensions"]!.AsArray().Select(e => (string)e!));
    }

    [Fact]
    public async Task Model_metadata_gives_the_inputs_and_outputs_with_datatypes_and_shapes()
    {
        var json = JsonNode.Parse(await Client.GetStringAsync("v2/models/fashion-mnist"))!;
        Assert.Equal("fashion-mnist", (string)json["name"]!);
        Assert.False(string.IsNullOrEmpty((string)json["platform"]!));
        string Describe(JsonNode t) => $"{t["name"]} {t["datatype"]} [{string.Join(",", t["shape"]!.AsArray().Select(d => (int)d!))}]";
        Assert.Equal(["input FP32 [-1,1,28,28]", "image BYTES [-1]"], json["inputs"]!.AsArray().Select(t => Describe(t!)));
        Assert.Equal(["logits FP32 [-1,10]", "probabilities FP32 [-1,10]"], json["outputs"]!.AsArray().Select(t => Describe(t!)));
    }

    [Theory]
    [InlineData("GET", "v2/models/nope")]
    [InlineData("GET", "v2/models/nope/ready")]
    [InlineData("POST", "v2/models/nope/infer")]
    public async Task An_unknown_model_is_404_with_an_error_naming_the_served_ones(string method, string path)
    {
        var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? Protocol.Json(new JsonObject()) : null });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await Protocol.ErrorAsync(response);
        Assert.Contains("'nope'", error);
        Assert.Contains("fashion-mnist", error);
    }

    [Fact]
    public async Task Json_infer_returns_the_logits_Forward_computes_and_echoes_the_id()
    {
        var batch = fixture.Reference.Preprocessor.Load([ServerFixture.Sample("bag.png"), ServerFixture.Sample("dress.png")]);
        var expected = fixture.Reference.Model.Forward(batch.Data, 2, 28, 28);

        var response = await Client.PostAsync(Infer, Protocol.Json(Protocol.Fp32Request(batch.Data, [2, 1, 28, 28], id: "req-42")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (json, _) = await Protocol.ReadAsync(response);
        Assert.Equal("req-42", (string)json["id"]!);
        Assert.Equal("fashion-mnist", (string)json["model_name"]!);
        var logits = Protocol.Output(json, "logits");
        Assert.Equal("FP32", (string)logits["datatype"]!);
        Assert.Equal([2, 10], logits["shape"]!.AsArray().Select(d => (int)d!));
        Assert.Equal(expected, Protocol.Floats(logits));
        // Every output comes back when the request names none; probabilities are the logits' softmax.
        var probabilities = Protocol.Floats(Protocol.Output(json, "probabilities"));
        Assert.Equal(Inference.Scores.Softmax(expected.AsSpan(0, 10)), probabilities[..10]);
    }

    [Fact]
    public async Task Binary_data_in_and_out_carries_the_same_logits()
    {
        var batch = fixture.Reference.Preprocessor.Load([ServerFixture.Sample("sneaker.png")]);
        var expected = fixture.Reference.Model.Forward(batch.Data, 1, 28, 28);
        var request = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input", ["shape"] = new JsonArray(1, 1, 28, 28), ["datatype"] = "FP32",
                ["parameters"] = new JsonObject { ["binary_data_size"] = 784 * 4 },
            }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "logits", ["parameters"] = new JsonObject { ["binary_data"] = true } }),
        };

        var response = await Client.PostAsync(Infer, Protocol.Binary(request, Protocol.LittleEndian(batch.Data)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var (json, binary) = await Protocol.ReadAsync(response);
        var logits = Protocol.Output(json, "logits");
        Assert.Equal(40, (int)logits["parameters"]!["binary_data_size"]!);
        Assert.Null(logits["data"]);
        Assert.Equal(expected, Protocol.Floats(binary));
    }

    [Fact]
    public async Task An_image_as_BYTES_runs_the_models_preprocessing_and_classifies_with_labels()
    {
        var path = ServerFixture.Sample("ankle-boot.png");
        var expected = fixture.Reference.Predict(path, 3);
        var request = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "image", ["shape"] = new JsonArray(1), ["datatype"] = "BYTES",
                ["parameters"] = new JsonObject { ["binary_data_size"] = 4 + new FileInfo(path).Length },
            }),
            ["outputs"] = new JsonArray(
                new JsonObject { ["name"] = "probabilities", ["parameters"] = new JsonObject { ["classification"] = 3 } },
                new JsonObject { ["name"] = "logits" }),
        };

        var response = await Client.PostAsync(Infer, Protocol.Binary(request, Protocol.BytesElements(File.ReadAllBytes(path))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (json, _) = await Protocol.ReadAsync(response);
        var classes = Protocol.Output(json, "probabilities");
        Assert.Equal("BYTES", (string)classes["datatype"]!);
        Assert.Equal([1, 3], classes["shape"]!.AsArray().Select(d => (int)d!));
        // The classification extension's "value:index:label", best first.
        Assert.Equal(expected.TopK.Select(c => $"{c.Score.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{c.Index}:{c.Label}"),
            classes["data"]!.AsArray().Select(v => (string)v!));
        var pixels = fixture.Reference.Preprocessor.Load(path);
        Assert.Equal(fixture.Reference.Model.Forward(pixels.Data, 1, 28, 28), Protocol.Floats(Protocol.Output(json, "logits")));
    }

    [Fact]
    public async Task An_image_as_base64_JSON_BYTES_classifies_the_same()
    {
        var path = ServerFixture.Sample("trouser.png");
        var request = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "image", ["shape"] = new JsonArray(1), ["datatype"] = "BYTES",
                ["data"] = new JsonArray(Convert.ToBase64String(File.ReadAllBytes(path))),
            }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "logits", ["parameters"] = new JsonObject { ["classification"] = 1 } }),
        };
        var response = await Client.PostAsync(Infer, Protocol.Json(request));
        var (json, _) = await Protocol.ReadAsync(response);
        Assert.EndsWith(":1:Trouser", (string)Protocol.Output(json, "logits")["data"]![0]!);
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { """{"inputs":[{"name":"input","shape":[1,1,28,28],"datatype":"INT32","data":[1]}]}""", "datatype INT32; fashion-mnist takes it as FP32" },
        { """{"inputs":[{"name":"input","shape":[1,3,28,28],"datatype":"FP32","data":[1]}]}""", "shape [1, 3, 28, 28]; fashion-mnist takes [N, 1, 28, 28]" },
        { """{"inputs":[{"name":"input","shape":[1,1,28,28],"datatype":"FP32","data":[1,2,3]}]}""", "\"data\" holds 3 values; the shape needs 784" },
        { """{"inputs":[{"name":"input","shape":[1,1,28,28],"datatype":"FP32","data":["x"]}]}""", "element 0 is \"x\", not an FP32 number" },
        { """{"inputs":[{"name":"pixels","shape":[1],"datatype":"FP32","data":[1]}]}""", "no input 'pixels'" },
        { """{"inputs":[]}""", "takes one input" },
        { """{"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","data":["not base64!"]}]}""", "must be a base64 string" },
        { """{"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","data":["aGVsbG8="]}]}""", "not a recognised image format" },
        { """{"inputs":[{"name":"input","shape":[1,1,28,28],"datatype":"FP32","data":[1]}],"outputs":[{"name":"features"}]}""", "no output 'features'" },
        { """{"inputs":[{"name":"input","shape":[1,1,28,28],"datatype":"FP32","parameters":{"binary_data_size":3136}}]}""", "only 0 bytes of binary data follow" },
        { """{"inputs": [""", "not a JSON inference request" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_wrong_request_is_400_with_a_message_saying_what_was_wrong(string body, string message)
    {
        var response = await Client.PostAsync(Infer, new StringContent(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await Protocol.ErrorAsync(response));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_with_the_limit_in_the_message()
    {
        // 64 images of 784 values of 9 characters each: about 450 KB of JSON against a 200 KB limit.
        var data = Enumerable.Repeat(0.1234567f, 64 * 784).ToArray();
        var response = await Client.PostAsync(Infer, Protocol.Json(Protocol.Fp32Request(data, [64, 1, 28, 28])));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains($"{ServerFixture.MaxRequestBytes:N0} bytes", await Protocol.ErrorAsync(response));
    }

    [Fact]
    public async Task An_unknown_path_is_404_in_the_protocols_error_object()
    {
        var response = await Client.GetAsync("v1/models/fashion-mnist");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("/v2", await Protocol.ErrorAsync(response));
    }

    [Fact]
    public async Task Metrics_count_requests_by_outcome_and_record_batch_sizes()
    {
        var batch = fixture.Reference.Preprocessor.Load([ServerFixture.Sample("bag.png"), ServerFixture.Sample("bag.png"), ServerFixture.Sample("bag.png")]);
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync(Infer, Protocol.Json(Protocol.Fp32Request(batch.Data, [3, 1, 28, 28])))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync(Infer, new StringContent("{}"))).StatusCode);

        var metrics = await Client.GetStringAsync("metrics");
        double Value(string series) => double.Parse(metrics.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Value("densenet_requests_total{model=\"fashion-mnist\",outcome=\"ok\"}") >= 1);
        Assert.True(Value("densenet_requests_total{model=\"fashion-mnist\",outcome=\"bad_request\"}") >= 1);
        Assert.True(Value("densenet_request_duration_seconds_count{model=\"fashion-mnist\"}") >= 2);
        // The batch of three landed in the (2, 3] bucket: more passes at or below 3 images than at or below 2.
        Assert.True(Value("densenet_batch_size_bucket{model=\"fashion-mnist\",le=\"3\"}") > Value("densenet_batch_size_bucket{model=\"fashion-mnist\",le=\"2\"}"));
        Assert.Equal(0, Value("densenet_queue_depth{model=\"fashion-mnist\"}"));
        // prometheus-net's process collector: the working set is the resident memory on Linux.
        Assert.True(Value("process_working_set_bytes") > 0);
    }
}
