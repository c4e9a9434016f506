using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace DenseNetGen.Generator.Parsing
{
    /// <summary>Thrown by <see cref="SpecJsonReader"/> at the position where the text stops being JSON.</summary>
    internal sealed class JsonReaderException(string message, int position) : Exception(message)
    {
        public int Position { get; } = position;
    }

    /// <summary>
    /// A small strict JSON (RFC 8259) reader that records the span of every token, so spec
    /// diagnostics can point at the offending line and column. System.Text.Json is not used because
    /// a generator must not depend on assemblies the compiler does not ship.
    /// </summary>
    internal sealed class SpecJsonReader
    {
        // Nesting is bounded so hostile input cannot overflow the compiler's stack.
        private const int MaxDepth = 64;

        private readonly string _text;
        private int _pos;

        private SpecJsonReader(string text) => _text = text;

        /// <summary>Parses a whole document; throws <see cref="JsonReaderException"/> on malformed input.</summary>
        public static JsonNode Parse(string text)
        {
            var reader = new SpecJsonReader(text);
            reader.SkipWhitespace();
            var root = reader.ReadValue(0);
            reader.SkipWhitespace();
            if (reader._pos < text.Length) throw new JsonReaderException($"unexpected '{text[reader._pos]}' after the end of the document", reader._pos);
            return root;
        }

        private JsonNode ReadValue(int depth)
        {
            if (_pos >= _text.Length) throw new JsonReaderException("unexpected end of the document", _pos);
            char c = _text[_pos];
            switch (c)
            {
                case '{': return ReadObject(depth + 1);
                case '[': return ReadArray(depth + 1);
                case '"':
                    int start = _pos;
                    string value = ReadString();
                    return new JsonString(TextSpan.FromBounds(start, _pos), value);
                case 't': return ReadLiteral("true", JsonKind.True);
                case 'f': return ReadLiteral("false", JsonKind.False);
                case 'n': return ReadLiteral("null", JsonKind.Null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                    throw new JsonReaderException($"unexpected '{c}'", _pos);
            }
        }

        private JsonObject ReadObject(int depth)
        {
            CheckDepth(depth);
            int start = _pos++;
            var properties = new List<JsonProperty>();
            SkipWhitespace();
            if (TryConsume('}')) return new JsonObject(TextSpan.FromBounds(start, _pos), properties);
            while (true)
            {
                SkipWhitespace();
                if (_pos >= _text.Length || _text[_pos] != '"') throw Expected("a property name in double quotes");
                int nameStart = _pos;
                string name = ReadString();
                var nameSpan = TextSpan.FromBounds(nameStart, _pos);
                SkipWhitespace();
                if (!TryConsume(':')) throw Expected("':'");
                SkipWhitespace();
                properties.Add(new JsonProperty(name, nameSpan, ReadValue(depth)));
                SkipWhitespace();
                if (TryConsume('}')) return new JsonObject(TextSpan.FromBounds(start, _pos), properties);
                if (!TryConsume(',')) throw Expected("',' or '}'");
            }
        }

        private JsonArray ReadArray(int depth)
        {
            CheckDepth(depth);
            int start = _pos++;
            var items = new List<JsonNode>();
            SkipWhitespace();
            if (TryConsume(']')) return new JsonArray(TextSpan.FromBounds(start, _pos), items);
            while (true)
            {
                SkipWhitespace();
                items.Add(ReadValue(depth));
                SkipWhitespace();
                if (TryConsume(']')) return new JsonArray(TextSpan.FromBounds(start, _pos), items);
                if (!TryConsume(',')) throw Expected("',' or ']'");
            }
        }

        private string ReadString()
        {
            int start = _pos++;
            var builder = new StringBuilder();
            while (true)
            {
                if (_pos >= _text.Length) throw new JsonReaderException("unterminated string", start);
                char c = _text[_pos++];
                if (c == '"') return builder.ToString();
                if (c < ' ') throw new JsonReaderException("control character in string", _pos - 1);
                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }
                if (_pos >= _text.Length) throw new JsonReaderException("unterminated string", start);
                char escape = _text[_pos++];
                switch (escape)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        if (_pos + 4 > _text.Length ||
                            !ushort.TryParse(_text.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                            throw new JsonReaderException("invalid \\u escape", _pos - 2);
                        builder.Append((char)code);
                        _pos += 4;
                        break;
                    default:
                        throw new JsonReaderException($"invalid escape '\\{escape}'", _pos - 2);
                }
            }
        }

        private JsonNumber ReadNumber()
        {
            int start = _pos;
            TryConsume('-');
            if (TryConsume('0'))
            {
                if (_pos < _text.Length && _text[_pos] >= '0' && _text[_pos] <= '9')
                    throw new JsonReaderException("numbers cannot have leading zeros", start);
            }
            else if (!ConsumeDigits()) throw Expected("a digit");
            if (TryConsume('.') && !ConsumeDigits()) throw Expected("a digit after '.'");
            if (TryConsume('e') || TryConsume('E'))
            {
                if (!TryConsume('+')) TryConsume('-');
                if (!ConsumeDigits()) throw Expected("a digit in the exponent");
            }
            string text = _text.Substring(start, _pos - start);
            double value;
            try
            {
                value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            catch (OverflowException)
            {
                value = double.PositiveInfinity;
            }
            if (double.IsInfinity(value)) throw new JsonReaderException($"number {text} is out of range", start);
            return new JsonNumber(TextSpan.FromBounds(start, _pos), text, value);
        }

        private bool ConsumeDigits()
        {
            int start = _pos;
            while (_pos < _text.Length && _text[_pos] >= '0' && _text[_pos] <= '9') _pos++;
            return _pos > start;
        }

        private JsonLiteral ReadLiteral(string word, JsonKind kind)
        {
            if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0) throw new JsonReaderException($"unexpected '{_text[_pos]}'", _pos);
            int start = _pos;
            _pos += word.Length;
            return new JsonLiteral(kind, TextSpan.FromBounds(start, _pos));
        }

        private void SkipWhitespace()
        {
            while (_pos < _text.Length && (_text[_pos] == ' ' || _text[_pos] == '\t' || _text[_pos] == '\n' || _text[_pos] == '\r')) _pos++;
        }

        private bool TryConsume(char c)
        {
            if (_pos < _text.Length && _text[_pos] == c)
            {
                _pos++;
                return true;
            }
            return false;
        }

        private void CheckDepth(int depth)
        {
            if (depth > MaxDepth) throw new JsonReaderException($"nesting deeper than {MaxDepth} levels", _pos);
        }

        private JsonReaderException Expected(string what) =>
            _pos >= _text.Length
                ? new JsonReaderException($"expected {what} but the document ended", _pos)
                : new JsonReaderException($"expected {what} but found '{_text[_pos]}'", _pos);
    }
}
