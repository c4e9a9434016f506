using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace DenseNetGen.Generator.Model
{
    /// <summary>
    /// Where a token sits in a spec file. Cached pipeline models hold this instead of a
    /// <see cref="Location"/>, which is not equatable across runs and would defeat caching.
    /// </summary>
    internal sealed record SourceLocation(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
    }
}
