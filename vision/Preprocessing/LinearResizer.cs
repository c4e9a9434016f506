namespace DenseNetGen.Preprocessing;

/// <summary>
/// Bilinear resize bit-exact with OpenCV's cv2.resize(INTER_LINEAR) on 8-bit images (checked
/// against OpenCV 4.6: tests/references/images/resize.json and the pipeline references).
/// </summary>
/// <remarks>
/// What OpenCV does and this copies: sample positions use half-pixel centres,
/// src = (dst + 0.5) * scale - 0.5 computed in double and rounded to float, with
/// scale = 1 / (dstSize / srcSize). Weights are float and then quantised to 11 bits
/// (round half to even, as cvRound). Columns left of the image or at/after its last pixel use
/// the edge pixel alone; rows keep their unclamped weights with clamped row indices. The
/// horizontal pass keeps int sums (x 2048); the vertical pass follows OpenCV's SIMD kernel,
/// ((S0 >> 4) * b0 >> 16) + ((S1 >> 4) * b1 >> 16), then (+2) >> 2 and saturates. OpenCV
/// switches an exact 2x shrink to its area average, (a + b + c + d + 2) >> 2, which these
/// weights (1024 each) reproduce bit for bit; no other shrink averages areas.
/// </remarks>
public static class LinearResizer
{
    private const int WeightBits = 11;
    private const int WeightOne = 1 << WeightBits;

    /// <summary>A new <paramref name="width"/> × <paramref name="height"/> image with <paramref name="source"/>'s channels (a copy when the size is unchanged).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A target size is not positive.</exception>
    public static DecodedImage Resize(DecodedImage source, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Target size {width}x{height} must be positive.");
        if (width == source.Width && height == source.Height)
            return new DecodedImage(width, height, source.Channels, (byte[])source.Pixels.Clone());

        int cn = source.Channels;
        var (xOffsets, xWeights) = Taps(width, source.Width, clampEdges: true);
        var (yOffsets, yWeights) = Taps(height, source.Height, clampEdges: false);
        var result = new byte[width * height * cn];

        // Two cached horizontally resized source rows; each output row blends two of them.
        var rows = new[] { new int[width * cn], new int[width * cn] };
        var rowIndex = new[] { -1, -1 };
        for (int dy = 0; dy < height; dy++)
        {
            int y0 = Math.Clamp(yOffsets[dy], 0, source.Height - 1);
            int y1 = Math.Clamp(yOffsets[dy] + 1, 0, source.Height - 1);
            var s0 = HorizontalRow(source, y0, xOffsets, xWeights, rows, rowIndex);
            var s1 = HorizontalRow(source, y1, xOffsets, xWeights, rows, rowIndex);
            int b0 = yWeights[2 * dy], b1 = yWeights[2 * dy + 1];
            int o = dy * width * cn;
            for (int i = 0; i < width * cn; i++)
            {
                int v = (((s0[i] >> 4) * b0) >> 16) + (((s1[i] >> 4) * b1) >> 16);
                result[o + i] = (byte)Math.Clamp((v + 2) >> 2, 0, 255);
            }
        }
        return new DecodedImage(width, height, cn, result);
    }

    private static int[] HorizontalRow(DecodedImage source, int y, int[] xOffsets, short[] xWeights, int[][] rows, int[] rowIndex)
    {
        for (int k = 0; k < 2; k++)
            if (rowIndex[k] == y) return rows[k];

        // Replace the cached row the caller no longer needs: rows only move downwards.
        int slot = rowIndex[0] <= rowIndex[1] ? 0 : 1;
        var row = rows[slot];
        rowIndex[slot] = y;
        int cn = source.Channels;
        int srcRow = y * source.Width * cn;
        var px = source.Pixels;
        for (int dx = 0; dx < xOffsets.Length; dx++)
        {
            int s = srcRow + xOffsets[dx] * cn;
            int a0 = xWeights[2 * dx], a1 = xWeights[2 * dx + 1];
            // The right neighbour has weight 0 at the last column; do not read past the row.
            int next = a1 == 0 ? 0 : cn;
            for (int c = 0; c < cn; c++)
                row[dx * cn + c] = px[s + c] * a0 + px[s + next + c] * a1;
        }
        return row;
    }

    private static (int[] Offsets, short[] Weights) Taps(int dstSize, int srcSize, bool clampEdges)
    {
        double scale = 1.0 / ((double)dstSize / srcSize);
        var offsets = new int[dstSize];
        var weights = new short[2 * dstSize];
        for (int d = 0; d < dstSize; d++)
        {
            float f = (float)((d + 0.5) * scale - 0.5);
            int s = (int)MathF.Floor(f);
            f -= s;
            if (clampEdges && s < 0)
                (f, s) = (0f, 0);
            if (clampEdges && s >= srcSize - 1)
                (f, s) = (0f, srcSize - 1);
            offsets[d] = s;
            weights[2 * d] = (short)MathF.Round((1f - f) * WeightOne, MidpointRounding.ToEven);
            weights[2 * d + 1] = (short)MathF.Round(f * WeightOne, MidpointRounding.ToEven);
        }
        return (offsets, weights);
    }
}
