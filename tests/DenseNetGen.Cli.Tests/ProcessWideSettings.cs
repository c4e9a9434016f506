namespace DenseNetGen.Cli.Tests;

/// <summary>
/// Tests that change process-wide state (environment variables, ImageDecoder.MaxPixels) run in this collection,
/// one at a time and after the parallel ones, so no other in-process CLI run sees their settings.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideSettings
{
    public const string Name = "process-wide settings";

    /// <summary>Runs <paramref name="body"/> with environment variable <paramref name="name"/> set, then restores it.</summary>
    public static T WithEnvironment<T>(string name, string? value, Func<T> body)
    {
        var old = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            return body();
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, old);
        }
    }
}
