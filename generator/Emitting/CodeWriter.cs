using System.Text;

namespace DenseNetGen.Generator.Emitting
{
    /// <summary>Builds indented source text with \n line endings, so output is identical on every OS.</summary>
    internal sealed class CodeWriter
    {
        private readonly StringBuilder _text = new();
        private int _indent;

        public void Line(string line = "")
        {
            if (line.Length > 0) _text.Append(' ', 4 * _indent).Append(line);
            _text.Append('\n');
        }

        public void Indent() => _indent++;

        public void Outdent() => _indent--;

        public void Open()
        {
            Line("{");
            Indent();
        }

        public void Close(string closing = "}")
        {
            Outdent();
            Line(closing);
        }

        public override string ToString() => _text.ToString();
    }
}
