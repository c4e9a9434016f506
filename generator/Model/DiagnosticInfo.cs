using Microsoft.CodeAnalysis;

namespace DenseNetGen.Generator.Model
{
    /// <summary>An equatable description of a diagnostic, turned into a <see cref="Diagnostic"/> only when reported.</summary>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, SourceLocation Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SourceLocation location, params string[] arguments) =>
            new(descriptor, location, new EquatableArray<string>(arguments));

        public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;

        public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location.ToLocation(), (object[])ToObjects());

        private object[] ToObjects()
        {
            var result = new object[Arguments.Count];
            for (int i = 0; i < result.Length; i++) result[i] = Arguments[i];
            return result;
        }
    }
}
