namespace DenseNetGen.Backends.Ilgpu.Kernels.Gpu;

/// <summary>
/// The output block one group of <see cref="HaloConvKernels"/> computes: <see cref="Images"/> images ×
/// <see cref="Rows"/> rows × <see cref="Columns"/> columns, always <see cref="HaloConvKernels.TilePixels"/> pixels,
/// read from a block one pixel wider on every side (the halo). Default (all zero) means no halo tiling.
/// </summary>
/// <remarks>
/// Columns is 4, 8 or 16 (a thread's four neighbouring pixels must share a row) and Rows at least 4, so the
/// haloed block never exceeds <see cref="HaloConvKernels.MaxHaloPixels"/> (8 images of 6×6 for 4×4 blocks).
/// Small maps stack images in one block rather than leave most of the block outside the map: a 7×7 map runs as
/// 2 images of 8×8.
/// </remarks>
internal readonly record struct HaloTile(int Images, int Rows, int Columns)
{
    /// <summary>Pixels of one input channel's haloed block in shared memory.</summary>
    public int HaloPixels => Images * HaloRows * HaloColumns;

    public int HaloRows => Rows + 2;

    public int HaloColumns => Columns + 2;

    /// <summary>Block pixel <paramref name="pixel"/> (numbered row by row through the stacked images) as its image,
    /// row and column within the block.</summary>
    public BlockPixel Locate(int pixel)
    {
        int blockRow = pixel / Columns;
        return new BlockPixel(blockRow / Rows, blockRow % Rows, pixel % Columns);
    }

    /// <summary>Where block pixel <paramref name="pixel"/>'s top-left tap sits in one staged, haloed input channel.</summary>
    public int InputAt(int pixel)
    {
        var at = Locate(pixel);
        return (at.Image * HaloRows + at.Row) * HaloColumns + at.Column;
    }

    public int ImageTiles(int batch) => (batch + Images - 1) / Images;

    public int RowTiles(int height) => (height + Rows - 1) / Rows;

    public int ColumnTiles(int width) => (width + Columns - 1) / Columns;

    /// <summary>The block that covers a <paramref name="height"/> × <paramref name="width"/> map with the least waste.</summary>
    public static HaloTile For(int height, int width)
    {
        int columns = width <= 4 ? 4 : width <= 8 ? 8 : 16;
        int rows = 4;
        while (rows < height && rows * columns < HaloConvKernels.TilePixels)
            rows *= 2;
        return new HaloTile(HaloConvKernels.TilePixels / (rows * columns), rows, columns);
    }

    /// <summary>Whether <see cref="HaloConvKernels"/> computes this conv: a 3x3, stride-1, padding-1 conv whose
    /// prologue, if any, is per pixel (a pooling prologue would need a twice larger halo).</summary>
    public static bool Fits(in TiledConvGeometry g) =>
        g.Kernel == 3 && g.Stride == 1 && g.Padding == 1 && g.Prologue != TiledPrologue.NormReluAverage2x2;
}

/// <summary>A pixel of a <see cref="HaloTile"/> block: its image, row and column within the block.</summary>
internal readonly record struct BlockPixel(int Image, int Row, int Column);
