using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace DenseNetGen.Runtime.Tests.Preprocessing;

/// <summary>
/// Small image files whose headers declare huge sizes (decompression bombs as a decoder first sees them), and
/// genuine images of a chosen size. Built here byte by byte, so the tests need no committed binaries.
/// </summary>
internal static class HostileImages
{
    /// <summary>A PNG whose IHDR declares <paramref name="width"/>x<paramref name="height"/> RGB, followed by a few
    /// bytes of a zlib stream of zero rows (a real bomb would carry megabytes of them) and IEND.</summary>
    public static byte[] Png(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a]);
        WriteChunk(file, "IHDR", ihdr);
        WriteChunk(file, "IDAT", [0x78, 0x9c, 0x63, 0x60, 0x00, 0x00]);
        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    /// <summary>A baseline JPEG (encoded by Skia) whose SOF0 frame header is rewritten to declare the given size.</summary>
    public static byte[] Jpeg(int width, int height)
    {
        var jpeg = Encode(Genuine(16, 8), SKEncodedImageFormat.Jpeg);
        for (int i = 2; i + 8 < jpeg.Length; i++)
        {
            if (jpeg[i] != 0xff || jpeg[i + 1] != 0xc0) continue;
            BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(i + 5), checked((ushort)height));
            BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(i + 7), checked((ushort)width));
            return jpeg;
        }
        throw new InvalidOperationException("Skia's JPEG has no SOF0 marker.");
    }

    /// <summary>A 24-bit BMP (BITMAPINFOHEADER) declaring the given size, with one row of pixel data.</summary>
    public static byte[] Bmp(int width, int height)
    {
        var bytes = new byte[14 + 40 + 64];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54); // pixel data offset
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40); // header size
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height); // negative: rows top-down
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(26), 1); // planes
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(28), 24); // bits per pixel
        return bytes;
    }

    /// <summary>A genuine PNG of the given size (a gradient), as any encoder writes it.</summary>
    public static byte[] GenuinePng(int width, int height) => Encode(Genuine(width, height), SKEncodedImageFormat.Png);

    private static SKBitmap Genuine(int width, int height)
    {
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)x, (byte)y, (byte)(x + y)));
        return bitmap;
    }

    private static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format)
    {
        using (bitmap)
        using (var data = bitmap.Encode(format, 90))
            return data.ToArray();
    }

    private static void WriteChunk(Stream file, string type, byte[] payload)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, payload.Length);
        file.Write(word);
        var typed = Encoding.ASCII.GetBytes(type).Concat(payload).ToArray();
        file.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        file.Write(word);
    }

    // PNG's CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) over the chunk type and data.
    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xffffffff;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320 & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
