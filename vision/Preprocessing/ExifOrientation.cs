using SkiaSharp;

namespace DenseNetGen.Preprocessing;

/// <summary>Turns stored pixels into the upright image an EXIF orientation tag describes.</summary>
internal static class ExifOrientation
{
    public static DecodedImage Apply(DecodedImage stored, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or 0) return stored;
        int w = stored.Width, h = stored.Height, cn = stored.Channels;
        bool swaps = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop
            or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int outW = swaps ? h : w, outH = swaps ? w : h;
        var result = new byte[stored.Pixels.Length];
        for (int dy = 0; dy < outH; dy++)
        {
            for (int dx = 0; dx < outW; dx++)
            {
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - dx, dy),
                    SKEncodedOrigin.BottomRight => (w - 1 - dx, h - 1 - dy),
                    SKEncodedOrigin.BottomLeft => (dx, h - 1 - dy),
                    SKEncodedOrigin.LeftTop => (dy, dx),
                    SKEncodedOrigin.RightTop => (dy, h - 1 - dx),
                    SKEncodedOrigin.RightBottom => (w - 1 - dy, h - 1 - dx),
                    SKEncodedOrigin.LeftBottom => (w - 1 - dy, dx),
                    _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "Unknown EXIF orientation."),
                };
                Array.Copy(stored.Pixels, (sy * w + sx) * cn, result, (dy * outW + dx) * cn, cn);
            }
        }
        return new DecodedImage(outW, outH, cn, result);
    }
}
