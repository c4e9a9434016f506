using DenseNetGen.Preprocessing;

namespace DenseNetGen.Runtime.Tests.Preprocessing;

/// <summary>Inputs the image fuzz target (tools/fuzz.sh image) recorded as findings, kept as regression tests.</summary>
public class ImageFuzzFindingTests
{
    // Issue 19's run, 772,980 executions in: a 385-byte splice of a BMP and a JPEG seed, recorded as a crash by
    // signal 2 (SIGINT), which did not reproduce on replay (plain and instrumented builds, and under the fuzzer's 2 GB
    // address limit): most likely a signal from outside the target. Kept so that it stays a clean answer.
    private const string SplicedBmpJpeg = "AADpQk0UYTGG/3/59FYFBgYBAAkI/9v+QwECAgnd5qMKCmVlCgD/20AKFAoKCgoCAgMEAwICAgIFBAQDBAYIAAAJBwZACgoKCe4KColrCgoUCgoKAgoKCgoKCv/AABEIAAECBQMBIgAC8gEDEQEF//8FAwEAAhEDEWuraVwRCAICAgICBQICAgUEBAMEBgUGBgYAAAABABgA//8AAIAAAAwAAAAAAAAAAAAAAAAP/+wA4gEAQP+WQ73TFGExAACAAAAAAAAAGgQD/QICAgUEBBkEBgUGEEMBAuD/AAMFCevmowoK//8KQAoUBf//BQLhAwQDAgICAgUEBAMEBggAAAkHBkAKoMsimCnLxpZAChQKAH0I99sGBgUGBgYHCQgGBwkHBgYICwgJCgoKCgoGAwUJ6+ajCgpl/9j/4QAiRXhpZgAASUkqAAgAAAABABIBAwABAAAABgAKCgoKCgr/wAARCAAGAAgDASIAAhEBAxH6/9oADAMBZQqiKhlVpebKyA==";

    [Fact]
    public void TheSplicedBmpJpegIsReadOrRefusedCleanly()
    {
        var bytes = Convert.FromBase64String(SplicedBmpJpeg);

        var error = Record.Exception(() => ImageDecoder.Decode(bytes, 3, "finding", maxPixels: 16_000_000));

        Assert.True(error is null or ImageDecodeException, $"{error?.GetType().Name}: {error?.Message}");
    }
}
