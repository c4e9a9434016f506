using DenseNetGen.AspNetCore;
using DenseNetGen.Checkpoints;
using DenseNetGen.Inference;
using DenseNetGen.Zoo;
using Microsoft.Extensions.DependencyInjection;

namespace DenseNetGen.Serving.Tests;

/// <summary>ImageClassifier.PredictAsync and services.AddDenseNet, against the synchronous Predict of the same image.</summary>
public sealed class AsyncPredictionTests
{
    private static readonly string s_image = ServerFixture.Sample("dress.png");

    /// <summary>A request body as ASP.NET Core gives it: synchronous reads throw, reads come a few bytes at a time.</summary>
    private sealed class AsyncOnlyStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            int count = Math.Min(Math.Min(buffer.Length, 100), bytes.Length - _position);
            bytes.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static void AssertSame(Prediction expected, Prediction actual) =>
        Assert.Equal(expected.TopK, actual.TopK);

    [Fact]
    public async Task PredictAsync_reads_a_stream_asynchronously_and_predicts_as_Predict()
    {
        using var classifier = DenseNets.Default();
        var expected = classifier.Predict(s_image, 3);

        AssertSame(expected, await classifier.PredictAsync(new AsyncOnlyStream(File.ReadAllBytes(s_image)), 3));
        AssertSame(expected, await classifier.PredictAsync(File.ReadAllBytes(s_image), 3));
        AssertSame(expected, await classifier.PredictAsync(new ReadOnlyMemory<byte>(File.ReadAllBytes(s_image)), 3));
    }

    [Fact]
    public async Task AddDenseNet_registers_one_pooled_service_that_predicts_as_the_model()
    {
        using var reference = DenseNets.Default();
        var checkpoint = Path.Combine(Path.GetTempPath(), $"densenet-serving-{Guid.NewGuid():N}.safetensors");
        SafetensorsWriter.Write(checkpoint, reference.Model.Weights, FashionMnistDenseNet.Definition, FashionMnistDenseNet.Card);
        try
        {
            var services = new ServiceCollection()
                .AddDenseNet(FashionMnistDenseNet.Definition, FashionMnistDenseNet.Create, o =>
                {
                    o.Checkpoint = checkpoint;
                    o.Pool = new() { Replicas = 2 };
                })
                .BuildServiceProvider();
            await using (services)
            {
                var service = services.GetRequiredService<DenseNetService<FashionMnistDenseNet>>();
                Assert.Same(service, services.GetRequiredService<DenseNetService<FashionMnistDenseNet>>());
                Assert.Equal(2, service.Pool.Replicas.Count);
                AssertSame(reference.Predict(s_image, 3), await service.Classifier.PredictAsync(new AsyncOnlyStream(File.ReadAllBytes(s_image)), 3));
            }
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }
}
