using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd.Levels;

/// <summary>
/// The SIMD backend run in a level library: what the app sees is the in-process backend's contract, each call
/// passed through <see cref="LevelLibrary"/>. Weights are packed in the library; input and results are copied
/// across once per run.
/// </summary>
internal sealed class LevelBackend : IBackend
{
    private readonly LevelLibrary _library;
    private readonly nint _backend;

    private LevelBackend(LevelLibrary library, nint backend)
    {
        _library = library;
        _backend = backend;
        Description = library.Text(backend, LevelText.Description)!;
        Settings = library.Text(backend, LevelText.Settings) ?? "";
    }

    /// <summary>Opens the backend in <paramref name="library"/> with the options resolved here (<see cref="SimdSettings.Resolve"/>).</summary>
    /// <exception cref="DeviceUnavailableException">TF32 was asked for.</exception>
    /// <exception cref="ArgumentException">A setting the backend reads is invalid.</exception>
    public static LevelBackend Open(LevelLibrary library, ComputeOptions options) =>
        new(library, library.Open(SimdSettings.Resolve(options)));

    /// <summary>The device line of <c>densenet info --devices</c> when this process runs the backend in <paramref name="library"/>.</summary>
    public static IEnumerable<DeviceInfo> ListDevices(LevelLibrary library) =>
        [SimdBackend.Device(SimdBackend.LevelWidth(library.Width, library.Level.Name))];

    public DeviceKind Kind => DeviceKind.Cpu;

    public string DeviceName => SimdBackend.Name;

    public string Description { get; }

    public string Settings { get; }

    public IPreparedNetwork Prepare(NetworkPlan plan, BoundCheckpoint weights)
    {
        var tensors = new float[plan.Parameters.Count][];
        for (int i = 0; i < tensors.Length; i++)
        {
            var p = plan.Parameters[i];
            if (!weights.Tensors.TryGetValue(p.Name, out var tensor) || tensor.Data.Length != p.ElementCount)
                throw new CheckpointException(weights.Source, $"{p} is missing or has another size.", p.Name);
            tensors[i] = tensor.Data;
        }
        return new Network(_library, _library.Prepare(_backend, PlanCodec.Write(plan), tensors, weights.Source), plan);
    }

    public void Dispose() => _library.Free(_backend);

    private sealed class Network(LevelLibrary library, nint network, NetworkPlan plan) : IPreparedNetwork
    {
        public IShapedNetwork ForShape(PlanGeometry geometry) =>
            new Shape(library, library.Shape(network, geometry.Batch, geometry.Height, geometry.Width), plan, geometry);

        public long DeviceBytes => library.DeviceBytes(network);

        public void Dispose() => library.Free(network);
    }

    private sealed class Shape(LevelLibrary library, nint shape, NetworkPlan plan, PlanGeometry geometry) : IShapedNetwork
    {
        public PlanGeometry Geometry => geometry;

        public float[][] Run(ReadOnlySpan<float> input, int opCount, ReadOnlySpan<int> read, Action<int>? opFinished)
        {
            var results = new float[read.Length][];
            for (int i = 0; i < read.Length; i++) results[i] = new float[geometry.ResultLength(plan, read[i])];
            library.Run(shape, input, opCount, read, results, opFinished);
            return results;
        }

        public string? Kernel(int op) => library.Text(shape, LevelText.Kernel, op);

        public void Dispose() => library.Free(shape);
    }
}
