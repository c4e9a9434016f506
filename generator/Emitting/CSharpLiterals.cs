using System.Globalization;
using System.Text;

namespace DenseNetGen.Generator.Emitting
{
    /// <summary>C# literal text for values the emitter writes.</summary>
    internal static class CSharpLiterals
    {
        public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

        public static string Bool(bool value) => value ? "true" : "false";

        /// <summary>A float literal that parses back to exactly <paramref name="value"/>.</summary>
        public static string Float(float value)
        {
            // "R" is shortest but was not always round-trip safe on older runtimes; G9 always is.
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            if (float.Parse(text, CultureInfo.InvariantCulture) != value) text = value.ToString("G9", CultureInfo.InvariantCulture);
            return text + "f";
        }

        public static string String(string? value)
        {
            if (value is null) return "null";
            var builder = new StringBuilder("\"");
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    default:
                        if (c < ' ' || c > '~') builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else builder.Append(c);
                        break;
                }
            }
            return builder.Append('"').ToString();
        }
    }
}
