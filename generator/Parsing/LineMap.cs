using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis.Text;

namespace DenseNetGen.Generator.Parsing
{
    /// <summary>Maps character offsets of a spec to 0-based line/column positions (\n, \r\n and \r end lines).</summary>
    internal sealed class LineMap
    {
        private readonly int[] _lineStarts;

        public LineMap(string text)
        {
            var starts = new List<int> { 0 };
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                if (c == '\r' || c == '\n') starts.Add(i + 1);
            }
            _lineStarts = starts.ToArray();
        }

        public LinePositionSpan GetLineSpan(TextSpan span) => new(GetPosition(span.Start), GetPosition(span.End));

        private LinePosition GetPosition(int offset)
        {
            int line = Array.BinarySearch(_lineStarts, offset);
            if (line < 0) line = ~line - 1;
            return new LinePosition(line, offset - _lineStarts[line]);
        }
    }
}
