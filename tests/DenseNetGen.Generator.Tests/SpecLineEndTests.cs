using Microsoft.CodeAnalysis.Text;

namespace DenseNetGen.Generator.Tests;

/// <summary>
/// A diagnostic's line and column whichever way the spec ends its lines: \n, \r\n and a lone \r each end one line
/// (as Roslyn's SourceText counts them), so the same error lands on the same line and column under each.
/// </summary>
public class SpecLineEndTests
{
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void The_same_error_is_at_the_same_line_and_column_under_each_line_end(string lineEnd)
    {
        // Line 9 (0-based) is '  "numClasses": 0,'; the value starts at column 16 and is one character long.
        var spec = DiagnosticTests.Spec(("numClasses", "0")).Replace("\n", lineEnd);

        AssertAt(spec, "DNG004", (9, 16, 9, 17));
    }

    [Fact]
    public void A_token_spanning_lines_ends_on_its_last_line()
    {
        // The array opens on line 3 at column 17 and closes on line 5 after the ']' at column 2 (end column 3).
        var spec = DiagnosticTests.Spec(("blockConfig", "[\r\n\r\n  ]"));

        AssertAt(spec, "DNG005", (3, 17, 5, 3));
    }

    /// <summary>
    /// The spec's one diagnostic is <paramref name="id"/> from (line, column) to (end line, end column), 0-based, and
    /// Roslyn's SourceText puts its offsets at the same positions.
    /// </summary>
    private static void AssertAt(string spec, string id, (int, int, int, int) expected)
    {
        var diagnostic = Assert.Single(GeneratorHarness.Run("/specs/bad.densenet.json", spec).GeneratorDiagnostics);

        Assert.Equal(id, diagnostic.Id);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(expected, (span.StartLinePosition.Line, span.StartLinePosition.Character, span.EndLinePosition.Line, span.EndLinePosition.Character));
        Assert.Equal(SourceText.From(spec).Lines.GetLinePositionSpan(diagnostic.Location.SourceSpan), span.Span);
    }

    [Theory]
    [InlineData("[1]\r", 0)]
    [InlineData("\r\n[1]\r", 1)]
    [InlineData("\r\r[1]\n\r", 2)]
    public void A_spec_may_end_with_a_line_end(string json, int line)
    {
        var diagnostic = Assert.Single(GeneratorHarness.Run("/specs/bad.densenet.json", json).GeneratorDiagnostics);

        Assert.Equal("DNG003", diagnostic.Id);
        Assert.Equal(new LinePosition(line, 0), diagnostic.Location.GetLineSpan().StartLinePosition);
    }
}
