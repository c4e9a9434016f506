using DenseNetGen.Backends;
using DenseNetGen.Backends.Simd.Levels;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// DENSENET_LEVEL_LIBRARY's values: a JIT process keeps the backend in-process unless a path names a library, and a
/// value that is none of on, off or a level library's loadable path is refused, naming the variable.
/// </summary>
public sealed class LevelSettingTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("on")]
    [InlineData(" ON ")]
    [InlineData("off")]
    public void AJitProcessLoadsNoLibraryUnlessOneIsNamed(string? value) => Assert.Null(LevelLibrary.FromSetting(value));

    [Fact]
    public void AValueThatIsNoLevelLibraryIsRefused()
    {
        var e = Assert.Throws<InvalidSettingException>(() => LevelLibrary.FromSetting("/tmp/libsomething.so"));
        Assert.Equal(LevelLibrary.EnvironmentVariable, e.Setting);
        Assert.Contains("'/tmp/libsomething.so' is not on, off or a level library (libdensenetgen-simd-x86-64-v4.so, libdensenetgen-simd-x86-64-v3.so)", e.Message);
    }

    [Fact]
    public void ALevelLibraryThatCannotBeLoadedIsRefused()
    {
        var level = X86Level.All.FirstOrDefault(l => l.IsSupported());
        if (level is null) return; // a CPU without x86-64-v3 (or not x86): the refusal below names the level instead
        string path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), level.FileName);
        var e = Assert.Throws<InvalidSettingException>(() => LevelLibrary.FromSetting(path));
        Assert.StartsWith($"{LevelLibrary.EnvironmentVariable}: '{path}' cannot be loaded: ", e.Message);
    }
}
