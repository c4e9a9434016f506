using Microsoft.CodeAnalysis;

namespace DenseNetGen.Generator.Tests;

/// <summary>
/// The spec's JSON reader (RFC 8259, strict): what each malformed text is called and where, as DNG001 "The spec is not
/// valid JSON: WHAT" at the offset the reader stopped (a token's start; a string's opening quote when it never ends; an
/// escape's backslash).
/// </summary>
public class SpecJsonReaderTests
{
    public static TheoryData<string, string, int> Malformed() => new()
    {
        { "", "unexpected end of the document", 0 },
        { "  @", "unexpected '@'", 2 },
        { "{} x", "unexpected 'x' after the end of the document", 3 },
        { "true1", "unexpected '1' after the end of the document", 4 },
        { "tru", "unexpected 't'", 0 },
        { "nul", "unexpected 'n'", 0 },
        { "falsy", "unexpected 'f'", 0 },
        { "{\"a\": 1,}", "expected a property name in double quotes but found '}'", 8 },
        { "{\"a\": 1,", "expected a property name in double quotes but the document ended", 8 },
        { "{'a': 1}", "expected a property name in double quotes but found '''", 1 },
        { "{\"a\" 1}", "expected ':' but found '1'", 5 },
        { "{\"a\"", "expected ':' but the document ended", 4 },
        { "{\"a\": 1 \"b\": 2}", "expected ',' or '}' but found '\"'", 8 },
        { "{\"a\": 1", "expected ',' or '}' but the document ended", 7 },
        { "[1 2]", "expected ',' or ']' but found '2'", 3 },
        { "[1,", "unexpected end of the document", 3 },
        { "-", "expected a digit but the document ended", 1 },
        { "-x", "expected a digit but found 'x'", 1 },
        { "1.", "expected a digit after '.' but the document ended", 2 },
        { "1.e5", "expected a digit after '.' but found 'e'", 2 },
        { "1.5e", "expected a digit in the exponent but the document ended", 4 },
        { "1E-x", "expected a digit in the exponent but found 'x'", 3 },
        { "1e+", "expected a digit in the exponent but the document ended", 3 },
        { "01", "numbers cannot have leading zeros", 0 },
        { "00", "numbers cannot have leading zeros", 0 },
        { "09", "numbers cannot have leading zeros", 0 },
        { "0x1F", "unexpected 'x' after the end of the document", 1 },
        { "[-01]", "numbers cannot have leading zeros", 1 },
        { "1e999", "number 1e999 is out of range", 0 },
        { "[-1E+400]", "number -1E+400 is out of range", 1 },
        { "\"abc", "unterminated string", 0 },
        { "[\"ab\\", "unterminated string", 1 },
        // The \u escape's four digits are the document's last characters: read, then the string has no end.
        { "\"a\\u0041", "unterminated string", 0 },
        { "\"a\\u00\"", "invalid \\u escape", 2 },
        { "\"a\\u00zz\"", "invalid \\u escape", 2 },
        { "\"a\\x\"", "invalid escape '\\x'", 2 },
        { "\"a\\U0041\"", "invalid escape '\\U'", 2 },
        { "\"a\u0001\"", "control character in string", 2 },
        { "\"a\u001f\"", "control character in string", 2 },
        { "\"a\tb\"", "control character in string", 2 },
        { new string('[', 65), "nesting deeper than 64 levels", 64 },
        { "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 64)), "nesting deeper than 64 levels", 320 },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_json_is_named_and_located(string json, string what, int offset)
    {
        var run = GeneratorHarness.Run("/specs/bad.densenet.json", json);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("DNG001", diagnostic.Id);
        Assert.Equal($"The spec is not valid JSON: {what}", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(offset, diagnostic.Location.SourceSpan.Start);
    }

    /// <summary>Any JSON value may be a document (RFC 8259 section 2); each is read whole, then refused as a root that is not an object.</summary>
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("9")]
    [InlineData("1.5E+3")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("null")]
    [InlineData("\"s\"")]
    [InlineData("[ ]")]
    [InlineData("[ 1 , [ ] , \"a\" ]")]
    [InlineData("\t\r\n 7 \t\r\n")]
    public void Every_kind_of_value_is_read_as_a_document(string json)
    {
        var run = GeneratorHarness.Run("/specs/bad.densenet.json", json);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(("DNG003", "Field '(root)' must be an object"), (diagnostic.Id, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(json.Length - json.TrimStart().Length, diagnostic.Location.SourceSpan.Start);
        Assert.Equal(json.Trim().Length, diagnostic.Location.SourceSpan.Length);
    }

    [Theory]
    [InlineData(64)] // the deepest nesting allowed: read, then refused as a root that is not an object
    [InlineData(1)]
    public void Nesting_up_to_64_levels_is_read(int depth)
    {
        var run = GeneratorHarness.Run("/specs/bad.densenet.json", new string('[', depth) + new string(']', depth));

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("DNG003", diagnostic.Id);
        Assert.Equal("Field '(root)' must be an object", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, diagnostic.Location.SourceSpan.Start);
    }

    [Fact]
    public void Escapes_and_every_json_whitespace_are_read()
    {
        // "N\u0065t" is Net; tabs, carriage returns and newlines separate tokens; "\/" is "/" and the other escapes
        // decode to their characters (checked in the class names a spec may carry inline).
        var spec = DiagnosticTests.Spec(("name", "\"N\\u0065t\""), ("numClasses", "4"),
                ("labels", "[\"a\\\"b\",\t\"c\\\\d\",\r\n\"e\\/f\", \"g\\u00e9\"]"))
            .Replace("\n", "\r\n\t");

        var run = GeneratorHarness.Run("/specs/net.densenet.json", spec);

        Assert.Empty(run.GeneratorDiagnostics);
        var source = Assert.Single(run.Result.GeneratedSources);
        Assert.Equal("Consumer.Root.Net.g.cs", source.HintName);
        var text = source.SourceText.ToString();
        Assert.Contains("\"a\\\"b\"", text);
        Assert.Contains("\"c\\\\d\"", text);
        Assert.Contains("\"e/f\"", text);
        Assert.Contains("\"g\\u00e9\"", text); // é, which the emitter writes as a \u escape
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Fact]
    public void The_single_character_escapes_decode_to_their_control_characters()
    {
        // RFC 8259 section 7: \b \f \n \r \t are U+0008, U+000C, U+000A, U+000D, U+0009; class names may hold them.
        var spec = DiagnosticTests.Spec(("numClasses", "5"), ("labels", "[\"a\\bb\", \"c\\fd\", \"e\\nf\", \"g\\rh\", \"i\\tj\"]"));

        var run = GeneratorHarness.Run("/specs/net.densenet.json", spec);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(["a\bb", "c\fd", "e\nf", "g\rh", "i\tj"], LabelsTests.Card(run).ClassNames);
    }

    [Fact]
    public void Whitespace_may_stand_between_any_two_tokens()
    {
        // Every field of the base spec, with spaces, tabs, CRs and LFs around each ':' ',' '{' '}' '[' ']'.
        const string ws = " \t\r\n ";
        var spec = DiagnosticTests.Spec(("blockConfig", "[ 2 , 3 ]"), ("labels", "{ \"file\" : \"classes.txt\" }"), ("numClasses", "2"))
            .Replace(":", ws + ":" + ws).Replace(",", ws + ",").Replace("{", ws + "{" + ws).Replace("}", ws + "}" + ws);
        var files = new[] { new InMemoryText("/specs/net.densenet.json", spec), new InMemoryText("/specs/classes.txt", "cat\ndog\n") };

        var run = GeneratorHarness.Run(files);

        Assert.Empty(run.GeneratorDiagnostics);
        var type = run.Load().GetExportedTypes().Single();
        Assert.Equal(new[] { 2, 3 }, (IReadOnlyList<int>)type.GetProperty("BlockConfig")!.GetValue(null)!);
        Assert.Equal(["cat", "dog"], LabelsTests.Card(run).ClassNames);
    }

    [Fact]
    public void Empty_containers_may_hold_whitespace()
    {
        var run = GeneratorHarness.Run("/specs/bad.densenet.json", DiagnosticTests.Spec(("labels", "{ \t}")));

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("The spec's labels object has no required field 'file'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
