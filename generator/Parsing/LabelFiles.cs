using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using DenseNetGen.Generator.Model;
using DenseNetGen.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace DenseNetGen.Generator.Parsing
{
    /// <summary>The outcome of reading a spec's labels file: the spec with its class names, or the diagnostics.</summary>
    internal sealed record LabelsResult(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>
    /// Reads <c>"labels": { "file": … }</c>: one class name per line, in class order, from the AdditionalFile beside the
    /// spec. Only a file the project lists in AdditionalFiles is read (so the generator stays incremental and reads
    /// nothing else); problems in the file are reported at its line, a missing file or a wrong count at the spec's path token.
    /// </summary>
    internal static class LabelFiles
    {
        private static readonly char[] LineEnds = { '\r', '\n' };

        /// <summary>Why <paramref name="path"/> cannot name a file relative to the spec's folder, or null when it can.</summary>
        public static string? WhyNotRelative(string path) =>
            path.Trim().Length == 0 ? "the labels file path is empty"
            : Path.IsPathRooted(path) || path.StartsWith("/", StringComparison.Ordinal) || path.StartsWith("\\", StringComparison.Ordinal)
                ? $"the labels file '{path}' must be a path relative to the spec's folder"
            : null;

        /// <summary>The spec with <see cref="NetworkSpec.ClassNames"/> filled from its labels file, or the reasons it cannot be.</summary>
        public static LabelsResult Resolve(NetworkSpec spec, string specPath, ImmutableArray<AdditionalText> files, CancellationToken ct)
        {
            if (spec.LabelsFile is not LabelsFile request) return new LabelsResult(spec, EquatableArray<DiagnosticInfo>.Empty);
            string wanted = Normalize(Path.Combine(Path.GetDirectoryName(specPath) ?? "", request.RelativePath));
            var file = files.FirstOrDefault(f => string.Equals(Normalize(f.Path), wanted, StringComparison.Ordinal));
            if (file is null)
                return Failed(request.Location,
                    $"'{request.RelativePath}' is not one of the project's AdditionalFiles (add <AdditionalFiles Include=\"{request.RelativePath}\" />)");
            var text = file.GetText(ct);
            if (text is null) return Failed(request.Location, $"'{request.RelativePath}' could not be read");

            var diagnostics = new List<DiagnosticInfo>();
            var lines = new LineMap(text.ToString());
            var names = Lines(text.ToString());
            bool ok = true;
            foreach (var (index, message) in ClassNameRules.Problems(names.Select(n => n.Name).ToArray()))
            {
                var span = names[index].Span;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadLabels, new SourceLocation(file.Path, span, lines.GetLineSpan(span)), message));
                ok = false;
            }
            if (names.Count != spec.NumClasses)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadLabels, request.Location,
                    $"'{request.RelativePath}' has {names.Count.ToString(CultureInfo.InvariantCulture)} class names but numClasses is {spec.NumClasses.ToString(CultureInfo.InvariantCulture)}"));
                ok = false;
            }
            return ok
                ? new LabelsResult(spec with { ClassNames = names.Select(n => n.Name).ToEquatableArray(), LabelsFile = null }, EquatableArray<DiagnosticInfo>.Empty)
                : new LabelsResult(null, diagnostics.ToEquatableArray());
        }

        private static LabelsResult Failed(SourceLocation location, string message) =>
            new(null, new EquatableArray<DiagnosticInfo>(new[] { DiagnosticInfo.Create(DiagnosticDescriptors.BadLabels, location, message) }));

        /// <summary>Each line without its end (\n, \r\n or \r), trimmed; empty lines at the end of the file are not classes.</summary>
        private static List<(string Name, TextSpan Span)> Lines(string text)
        {
            var names = new List<(string Name, TextSpan Span)>();
            int start = 0;
            while (start <= text.Length)
            {
                int end = text.IndexOfAny(LineEnds, start);
                if (end < 0) end = text.Length;
                names.Add((text.Substring(start, end - start).Trim(), new TextSpan(start, end - start)));
                if (end == text.Length) break;
                start = end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1);
            }
            while (names.Count > 0 && names[names.Count - 1].Name.Length == 0) names.RemoveAt(names.Count - 1);
            return names;
        }

        /// <summary>
        /// One spelling of a path: forward slashes, "." and ".." segments resolved, repeated slashes collapsed. A ".."
        /// at a root ("/" or a drive) stays there, as POSIX and Windows resolve it; one that climbs above a relative
        /// path is kept.
        /// </summary>
        private static string Normalize(string path)
        {
            var segments = new List<string>();
            foreach (var segment in path.Replace('\\', '/').Split('/'))
            {
                if (segment == "." || segment.Length == 0 && segments.Count > 0) continue;
                if (segment != "..") segments.Add(segment);
                else if (segments.Count == 1 && IsRoot(segments[0])) continue;
                else if (segments.Count > 0 && segments[segments.Count - 1] != "..") segments.RemoveAt(segments.Count - 1);
                else segments.Add(segment);
            }
            return string.Join("/", segments);
        }

        /// <summary>The first segment of a rooted path: empty before a leading "/", or a drive such as "C:".</summary>
        private static bool IsRoot(string first) => first.Length == 0 || first.EndsWith(":", StringComparison.Ordinal);
    }
}
