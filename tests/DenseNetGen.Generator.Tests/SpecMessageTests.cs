using System.Globalization;
using Microsoft.CodeAnalysis;

namespace DenseNetGen.Generator.Tests;

/// <summary>
/// What each bad field is called (the diagnostic's text, from the descriptor's format and the parser's words for the
/// field and its expected type) and the limits of each field, at both sides of the boundary.
/// </summary>
public class SpecMessageTests
{
    private const char Marker = '§';

    public static TheoryData<string, string, string> BadFields() => new()
    {
        { DiagnosticTests.Spec(("growthRate", null)).Replace("{", "§{"), "DNG002", "The spec has no required field 'growthRate'" },
        { DiagnosticTests.Spec(("preprocess", "§{\"mean\": [0, 0, 0], \"std\": [1, 1, 1], \"resize\": 32}")), "DNG002", "The spec's preprocess block has no required field 'crop'" },
        { DiagnosticTests.Spec(("preprocess", "§{\"mean\": [0, 0, 0], \"std\": [1, 1, 1], \"crop\": 32}")), "DNG002", "The spec's preprocess block has no required field 'resize'" },
        { DiagnosticTests.Spec(("preprocess", "§{\"std\": [1, 1, 1], \"resize\": 32, \"crop\": 32}")), "DNG002", "The spec's preprocess block has no required field 'mean'" },
        { DiagnosticTests.Spec(("name", null)).Replace("{", "§{"), "DNG002", "The spec has no required field 'name'" },
        { DiagnosticTests.Spec(("compression", null)).Replace("{", "§{"), "DNG002", "The spec has no required field 'compression'" },
        { DiagnosticTests.Spec(("inputSize", null)).Replace("{", "§{"), "DNG002", "The spec has no required field 'inputSize'" },
        { "§[1, 2]", "DNG003", "Field '(root)' must be an object" },
        { DiagnosticTests.Spec(("name", "§42")), "DNG003", "Field 'name' must be a string" },
        { DiagnosticTests.Spec(("namespace", "§1")), "DNG003", "Field 'namespace' must be a string" },
        { DiagnosticTests.Spec(("growthRate", "§4.0")), "DNG003", "Field 'growthRate' must be an integer" },
        { DiagnosticTests.Spec(("growthRate", "§4e0")), "DNG003", "Field 'growthRate' must be an integer" },
        { DiagnosticTests.Spec(("growthRate", "§true")), "DNG003", "Field 'growthRate' must be an integer" },
        { DiagnosticTests.Spec(("blockConfig", "§{}")), "DNG003", "Field 'blockConfig' must be an array of integers" },
        { DiagnosticTests.Spec(("blockConfig", "[2, §null]")), "DNG003", "Field 'blockConfig' must be an integer" },
        { DiagnosticTests.Spec(("compression", "§\"0.5\"")), "DNG003", "Field 'compression' must be a number" },
        { DiagnosticTests.Spec(("stem", "§1")), "DNG003", "Field 'stem' must be a string" },
        { DiagnosticTests.Spec(("preprocess", "§[]")), "DNG003", "Field 'preprocess' must be an object" },
        { DiagnosticTests.Spec(("preprocess", "{\"mean\": §0, \"std\": [1, 1, 1], \"resize\": 32, \"crop\": 32}")), "DNG003", "Field 'mean' must be an array of numbers" },
        { DiagnosticTests.Spec(("preprocess", "{\"mean\": [0, 0, 0], \"std\": [1, §\"1\", 1], \"resize\": 32, \"crop\": 32}")), "DNG003", "Field 'std' must be an array of numbers" },
        { DiagnosticTests.Spec(("growthRate", "§0")), "DNG004", "Field 'growthRate' must be a positive integer, got 0" },
        { DiagnosticTests.Spec(("bnSize", "§-3")), "DNG004", "Field 'bnSize' must be a positive integer, got -3" },
        { DiagnosticTests.Spec(("initChannels", "§-0")), "DNG004", "Field 'initChannels' must be a positive integer, got -0" },
        // Below long's range: still "not positive", not "too large".
        { DiagnosticTests.Spec(("numClasses", "§-99999999999999999999")), "DNG004", "Field 'numClasses' must be a positive integer, got -99999999999999999999" },
        { DiagnosticTests.Spec(("blockConfig", "§[]")), "DNG005", "Field 'blockConfig' must list at least one dense block" },
        { DiagnosticTests.Spec(("compression", "§0")), "DNG006", "Field 'compression' must be in (0, 1]: 0" },
        { DiagnosticTests.Spec(("compression", "§1.0001")), "DNG006", "Field 'compression' must be in (0, 1]: 1.0001" },
        { DiagnosticTests.Spec(("stem", "§\"Cifar\"")), "DNG007", "Unknown stem 'Cifar'; expected \"imagenet\" or \"cifar\"" },
        { DiagnosticTests.Spec(("namespace", "§\"My..Nets\"")), "DNG009", "Namespace 'My..Nets' is not a valid C# namespace" },
        { DiagnosticTests.Spec(("growthRate", "§4097")), "DNG011", "Field 'growthRate' is 4097, above the limit of 4096" },
        { DiagnosticTests.Spec(("blockConfig", "[2, §513]")), "DNG011", "Field 'blockConfig' is 513, above the limit of 512" },
        { DiagnosticTests.Spec(("blockConfig", "§[" + string.Join(", ", Enumerable.Repeat(1, 17)) + "]")), "DNG011", "Field 'blockConfig' is 17 blocks, above the limit of 16" },
        { DiagnosticTests.Spec(("initChannels", "§65537")), "DNG011", "Field 'initChannels' is 65537, above the limit of 65536" },
        { DiagnosticTests.Spec(("bnSize", "§257")), "DNG011", "Field 'bnSize' is 257, above the limit of 256" },
        { DiagnosticTests.Spec(("inChannels", "§65537")), "DNG011", "Field 'inChannels' is 65537, above the limit of 65536" },
        { DiagnosticTests.Spec(("numClasses", "§1000001")), "DNG011", "Field 'numClasses' is 1000001, above the limit of 1000000" },
        { DiagnosticTests.Spec(("inputSize", "§16385")), "DNG011", "Field 'inputSize' is 16385, above the limit of 16384" },
        { DiagnosticTests.Spec(("inputSize", "§99999999999999999999")), "DNG011", "Field 'inputSize' is 99999999999999999999, above the limit of 16384" },
        { DiagnosticTests.Spec(("preprocess", "{\"mean\": §[0, 0], \"std\": [1, 1, 1], \"resize\": 32, \"crop\": 32}")), "DNG014", "Invalid preprocess: 'mean' has 2 values but inChannels is 3" },
        { DiagnosticTests.Spec(("preprocess", "{\"mean\": [0, 0, 0], \"std\": [1, §0, 1], \"resize\": 32, \"crop\": 32}")), "DNG014", "Invalid preprocess: 'std' value 0 must be positive" },
        { DiagnosticTests.Spec(("preprocess", "{\"mean\": [0, 0, 0], \"std\": [1, §-0.5, 1], \"resize\": 32, \"crop\": 32}")), "DNG014", "Invalid preprocess: 'std' value -0.5 must be positive" },
        { DiagnosticTests.Spec(("preprocess", "{\"mean\": [0, §1e39, 0], \"std\": [1, 1, 1], \"resize\": 32, \"crop\": 32}")), "DNG014", "Invalid preprocess: 'mean' value 1e39 does not fit a float" },
        { DiagnosticTests.Spec(("preprocess", "{\"mean\": [0, 0, 0], \"std\": [1, 1, 1], \"resize\": 32, \"crop\": §33}")), "DNG014", "Invalid preprocess: crop 33 is larger than resize 32" },
        { DiagnosticTests.Spec(("inputSize", "32,\n  §\"inputSize\": 64")), "DNG017", "Field 'inputSize' appears more than once" },
        // Each reason a name is not a usable class name (CSharpNames); é is two UTF-8 bytes, so this name is 481.
        { DiagnosticTests.Spec(("name", "§\"3Net\"")), "DNG008", "Network name '3Net' is not usable as a C# class name: it is not a C# identifier" },
        { DiagnosticTests.Spec(("name", "§\"__arglist\"")), "DNG008", "Network name '__arglist' is not usable as a C# class name: it is a C# keyword" },
        { DiagnosticTests.Spec(("name", "§\"record\"")), "DNG008", "Network name 'record' is not usable as a C# class name: it is a C# keyword" },
        { DiagnosticTests.Spec(("name", "§\"zebra\"")), "DNG008", "Network name 'zebra' is not usable as a C# class name: lower-case ASCII names are reserved for future C# keywords" },
        { DiagnosticTests.Spec(("name", "§\"Forward\"")), "DNG008", "Network name 'Forward' is not usable as a C# class name: it clashes with a member of the generated class" },
        { DiagnosticTests.Spec(("name", "§\"NumClasses\"")), "DNG008", "Network name 'NumClasses' is not usable as a C# class name: it clashes with a member of the generated class" },
        { DiagnosticTests.Spec(("name", "§\"Transition12\"")), "DNG008", "Network name 'Transition12' is not usable as a C# class name: it clashes with a member of the generated class" },
        { DiagnosticTests.Spec(("name", "§\"Defini\\u00adtion\"")), "DNG008", "Network name 'Defini\u00adtion' is not usable as a C# class name: it contains U+00AD, a format character that C# ignores or refuses in names" },
        { DiagnosticTests.Spec(("name", "§\"N\\u0001et\"")), "DNG008", "Network name 'N\u0001et' is not usable as a C# class name: it contains U+0001, a control character that C# ignores or refuses in names" },
        { DiagnosticTests.Spec(("name", "§\"N" + new string('é', 240) + "\"")), "DNG008", "Network name 'N" + new string('é', 240) + "' is not usable as a C# class name: it is 481 UTF-8 bytes long, more than the 480 a generated type's metadata name allows" },
        { DiagnosticTests.Spec(("namespace", "§\"\"")), "DNG009", "Namespace '' is not a valid C# namespace" },
        { DiagnosticTests.Spec(("namespace", "§\"My.\"")), "DNG009", "Namespace 'My.' is not a valid C# namespace" },
        { DiagnosticTests.Spec(("namespace", "§\"My.record\"")), "DNG009", "Namespace 'My.record' is not a valid C# namespace" },
        { DiagnosticTests.Spec(("namespace", "§\"My.N\\u00adets\"")), "DNG009", "Namespace 'My.N\u00adets' is not a valid C# namespace" },
        // The labels field's shapes and what each may get wrong.
        { DiagnosticTests.Spec(("labels", "§42")), "DNG003", "Field 'labels' must be a label set name, an array of class names, an object with a 'file', or null" },
        { DiagnosticTests.Spec(("labels", "§true")), "DNG003", "Field 'labels' must be a label set name, an array of class names, an object with a 'file', or null" },
        { DiagnosticTests.Spec(("numClasses", "3"), ("labels", "[\"cat\", §3, \"dog\"]")), "DNG003", "Field 'labels' must be an array of strings" },
        { DiagnosticTests.Spec(("labels", "{\"file\": §[\"classes.txt\"]}")), "DNG003", "Field 'file' must be a string" },
        { DiagnosticTests.Spec(("labels", "§{}")), "DNG002", "The spec's labels object has no required field 'file'" },
        { DiagnosticTests.Spec(("labels", "§\"cifar100\"")), "DNG016", "Labels: unknown label set 'cifar100'; expected \"imagenet1k\" or \"fashion-mnist\", or the class names" },
        { DiagnosticTests.Spec(("labels", "§\"imagenet1k\"")), "DNG016", "Labels: 'imagenet1k' has 1000 classes but numClasses is 10" },
        { DiagnosticTests.Spec(("numClasses", "1000"), ("labels", "§\"fashion-mnist\"")), "DNG016", "Labels: 'fashion-mnist' has 10 classes but numClasses is 1000" },
        { DiagnosticTests.Spec(("labels", "§[\"cat\", \"dog\"]")), "DNG016", "Labels: 2 class names but numClasses is 10" },
        { DiagnosticTests.Spec(("numClasses", "3"), ("labels", "[\"cat\", \"dog\", §\"cat\"]")), "DNG016", "Labels: class 2 repeats the name 'cat' of class 0" },
        { DiagnosticTests.Spec(("numClasses", "2"), ("labels", "[\"cat\", §\" \"]")), "DNG016", "Labels: class 1 has a blank name" },
        { DiagnosticTests.Spec(("labels", "{\"file\": §\"/etc/passwd\"}")), "DNG016", "Labels: the labels file '/etc/passwd' must be a path relative to the spec's folder" },
        { DiagnosticTests.Spec(("labels", "{\"file\": §\"\\\\etc\\\\passwd\"}")), "DNG016", "Labels: the labels file '\\etc\\passwd' must be a path relative to the spec's folder" },
        { DiagnosticTests.Spec(("labels", "{\"file\": §\" \\t\"}")), "DNG016", "Labels: the labels file path is empty" },
        { DiagnosticTests.Spec(("labels", "{\"file\": §\"classes.txt\"}")), "DNG016", "Labels: 'classes.txt' is not one of the project's AdditionalFiles (add <AdditionalFiles Include=\"classes.txt\" />)" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void Bad_field_is_named_with_its_value(string markedSpec, string id, string message)
    {
        int offset = markedSpec.IndexOf(Marker);
        var run = GeneratorHarness.Run("/specs/bad.densenet.json", markedSpec.Remove(offset, 1));

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal((id, message), (diagnostic.Id, diagnostic.GetMessage(CultureInfo.InvariantCulture)));
        Assert.Equal(offset, diagnostic.Location.SourceSpan.Start);
    }

    [Fact]
    public void Unknown_fields_are_named_in_the_warning()
    {
        var run = GeneratorHarness.Run("/specs/extra.densenet.json", DiagnosticTests.Spec(("dropout", "0.1")));

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(("DNG015", "Unknown field 'dropout' is ignored"), (diagnostic.Id, diagnostic.GetMessage(CultureInfo.InvariantCulture)));
    }

    /// <summary>Values at the limits (and the smallest ones) are accepted.</summary>
    [Theory]
    [InlineData("growthRate", "1")]
    [InlineData("blockConfig", "[1, 512]")]
    [InlineData("blockConfig", "[1]")]
    [InlineData("inChannels", "65536")] // (initChannels at 65536 makes a net above 2^31 parameters, DNG013)
    [InlineData("bnSize", "256")]
    [InlineData("numClasses", "1000000")]
    [InlineData("inputSize", "16384")]
    [InlineData("compression", "1")]
    [InlineData("stem", "\"imagenet\"")]
    [InlineData("preprocess", "{\"mean\": [-1, 0, 1e38], \"std\": [1e-3, 1, 1e38], \"resize\": 32, \"crop\": 32}")]
    [InlineData("namespace", "\"My.Nets\"")]
    public void Values_at_the_limits_are_accepted(string field, string json)
    {
        var run = GeneratorHarness.Run("/specs/net.densenet.json", DiagnosticTests.Spec((field, json)));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Result.GeneratedSources);
    }

    /// <summary>Names near the generated members DenseBlockN and TransitionN (N digits only, the whole name) are free.</summary>
    [Theory]
    [InlineData("DenseBlock")]
    [InlineData("Transition")]
    [InlineData("MyTransition1")]
    [InlineData("DenseBlock2a")]
    [InlineData("DenseBlockX")]
    public void Names_near_a_numbered_member_are_accepted(string name)
    {
        var run = GeneratorHarness.Run("/specs/net.densenet.json", DiagnosticTests.Spec(("name", $"\"{name}\"")));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationDiagnostics);
        Assert.Equal(name, run.Load().GetExportedTypes().Single().Name);
    }

    [Fact]
    public void A_name_of_480_utf8_bytes_is_accepted()
    {
        string name = "N" + new string('\u00e9', 239) + "a"; // 1 + 2 * 239 + 1 bytes

        var run = GeneratorHarness.Run("/specs/net.densenet.json", DiagnosticTests.Spec(("name", $"\"{name}\"")));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationDiagnostics);
        Assert.Equal(name, run.Load().GetExportedTypes().Single().Name);
    }

    /// <summary>
    /// Sixteen blocks are within blockConfig's limit (seventeen are not, above): the spec gets past the parser, and the
    /// planner then finds that fifteen transitions halve even the largest input (16384 = 2^14) to nothing.
    /// </summary>
    [Fact]
    public void Sixteen_blocks_pass_the_limit_and_reach_the_planner()
    {
        var spec = DiagnosticTests.Spec(("blockConfig", "[" + string.Join(", ", Enumerable.Repeat(1, 16)) + "]"), ("inputSize", "16384"));

        var diagnostic = Assert.Single(GeneratorHarness.Run("/specs/net.densenet.json", spec).GeneratorDiagnostics);

        Assert.Equal("DNG012", diagnostic.Id);
    }
}
