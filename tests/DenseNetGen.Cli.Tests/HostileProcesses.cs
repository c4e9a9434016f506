namespace DenseNetGen.Cli.Tests;

/// <summary>
/// The child-process hostile-input tests run one at a time: each may take a gigabyte before its fix, and their
/// wall-time bounds mean something only when they do not compete with each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileProcesses
{
    public const string Name = "hostile inputs in child processes";
}
